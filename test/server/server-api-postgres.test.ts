import { apiSuite } from "./api-suite.ts";
import { skipPostgres } from "./support/postgres.ts";

apiSuite("postgres", skipPostgres);
