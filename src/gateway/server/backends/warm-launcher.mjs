// A pre-started Node process kept by the local backend's WarmPool: node start-up is paid before a
// cluster asks for a scheduler or worker. It waits for one JSON line on stdin
// {"argv":[script, ...args],"env":{...},"cwd":"..."}, becomes that program, and stops listening
// to the gateway (so it outlives it). If the gateway goes away first, it exits.
import { pathToFileURL } from "node:url";

let buf = "";
const onData = (d) => {
  buf += d;
  const i = buf.indexOf("\n");
  if (i < 0) return;
  process.stdin.off("data", onData);
  process.stdin.off("end", onEnd);
  process.stdin.destroy();
  const { argv, env, cwd } = JSON.parse(buf.slice(0, i));
  process.chdir(cwd);
  Object.assign(process.env, env);
  process.argv = [process.execPath, ...argv];
  import(pathToFileURL(argv[0]).href).catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  });
};
const onEnd = () => process.exit(0);
process.stdin.setEncoding("utf8");
process.stdin.on("data", onData);
process.stdin.on("end", onEnd);
