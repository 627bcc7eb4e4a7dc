#!/usr/bin/env node
import "./register.js";

await import("../src/cli/main.ts");
