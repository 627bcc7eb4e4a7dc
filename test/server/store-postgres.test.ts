import { storeConformance } from "./store-conformance.ts";
import { skipPostgres } from "./support/postgres.ts";

storeConformance("postgres", skipPostgres);
