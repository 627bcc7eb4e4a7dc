import { LocalExecutor } from "flowgate";
import { semanticSuite } from "./semantic-suite.ts";

semanticSuite("LocalExecutor", async () => ({
  executor: new LocalExecutor(),
  close: async () => {},
}));
// Two slots: the least that lets a map over a map go depth-first past one slow child.
semanticSuite("LocalExecutor with concurrency 2", async () => ({
  executor: new LocalExecutor({ concurrency: 2 }),
  close: async () => {},
}));
