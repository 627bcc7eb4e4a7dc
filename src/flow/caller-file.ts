import { fileURLToPath } from "node:url";

const librarySources = fileURLToPath(new URL("..", import.meta.url));

/** The first source file on the stack outside flowgate's own sources: where a flow was defined. */
export function callerFile(): string | undefined {
  const saved = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_e, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    for (const f of frames) {
      const name = f.getFileName();
      if (!name || name.startsWith("node:")) continue;
      const file = name.startsWith("file:") ? fileURLToPath(name) : name;
      if (!file.startsWith(librarySources)) return file;
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = saved;
  }
}
