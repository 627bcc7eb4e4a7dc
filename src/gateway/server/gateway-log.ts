import pino, { type Logger } from "pino";

/**
 * The gateway's logger on stderr: human-readable lines (pino-pretty) when stderr is a terminal
 * or `format` is "pretty", JSON lines otherwise (for log collectors).
 */
export async function makeGatewayLogger(
  level: string,
  format: "auto" | "json" | "pretty",
): Promise<Logger> {
  const options = { level, base: { name: "flowgate-gateway" } };
  const human = format === "pretty" || (format === "auto" && process.stderr.isTTY === true);
  if (!human) return pino(options, pino.destination(2));
  // Loaded only for a terminal: services logging JSON do not pay for it at start-up.
  const { default: pretty } = await import("pino-pretty");
  return pino(
    options,
    pretty({
      destination: 2,
      sync: true,
      colorize: process.stderr.isTTY === true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,name",
    }),
  );
}
