import { storeConformance } from "./store-conformance.ts";

storeConformance("sqlite", false);
