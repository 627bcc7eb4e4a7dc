/**
 * The flowgate server's REST client.
 *
 * ```ts
 * import { ServerClient } from "flowgate/src/server/client/index.ts";
 * import { BasicAuth } from "flowgate/src/gateway/client/index.ts";
 * const server = new ServerClient({ address: "http://127.0.0.1:4200", auth: new BasicAuth("ada") });
 * const run = await server.createRun({ flow: "etl/daily", parameters: { n: 3 } });
 * for await (const ev of server.runEvents(run.id)) console.log(ev);
 * ```
 */
export { ServerClient } from "./server-client.ts";
export type { ServerClientOptions } from "./server-client.ts";
export { readSse } from "./sse-reader.ts";
export type { SseMessage } from "./sse-reader.ts";
export { ServerRequestError, ServerUnreachableError } from "../errors.ts";
