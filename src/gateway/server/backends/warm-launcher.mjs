// A pre-started Node process kept by the local backend's WarmPool: node start-up is paid before a
// cluster asks for a scheduler or worker. It waits for one JSON line on stdin
// {"argv":[script, ...args],"env":{...},"cwd":"...","uid"?:n,"gid"?:n}, becomes that program
// (that account, that whole environment), and stops listening to the gateway (so it outlives
// it). If the gateway goes away first, it exits.
import { pathToFileURL } from "node:url";

process.title = "flowgate-spare";
let buf = "";
const onData = (d) => {
  buf += d;
  const i = buf.indexOf("\n");
  if (i < 0) return;
  process.stdin.off("data", onData);
  process.stdin.off("end", onEnd);
  process.stdin.destroy();
  const { argv, env, cwd, uid, gid } = JSON.parse(buf.slice(0, i));
  if (typeof uid === "number" && typeof gid === "number") {
    // Groups and group first: after setuid a non-root process may no longer change them.
    process.setgroups([]);
    process.setgid(gid);
    process.setuid(uid);
  }
  process.chdir(cwd);
  for (const k of Object.keys(process.env)) delete process.env[k];
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
