import assert from "node:assert/strict";
import { test } from "node:test";
import { deserialize, serialize } from "node:v8";
import { decodeValue, encodeValue } from "../../src/cluster/wire/codec.ts";

test("codec - small values are written in V8's format: V8 reads them back the same", () => {
  const values: unknown[] = [
    0,
    1,
    -1,
    63,
    64,
    -64,
    -65,
    127,
    128,
    2 ** 30 - 1,
    2 ** 30,
    -(2 ** 30),
    -(2 ** 30) - 1,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    1.5,
    -0,
    NaN,
    Infinity,
    -Infinity,
    1e300,
    Number.MAX_SAFE_INTEGER,
    "",
    "ab",
    "é ÿ",
    "x".repeat(64),
    "x".repeat(65),
    "€",
    true,
    false,
    null,
    undefined,
  ];
  for (let i = 0; i < 2000; i++) values.push(Math.floor((i * 2654435761) % 2 ** 33) - 2 ** 32);
  for (const v of values)
    assert.ok(Object.is(deserialize(encodeValue(v)), v), `round trip of ${String(v)}`);
  // Byte for byte what V8 writes (for numbers that depends on V8's internal representation).
  for (const v of [
    0,
    1,
    -1,
    64,
    -65,
    1000,
    1.5,
    -0,
    NaN,
    "",
    "ab",
    "é",
    true,
    false,
    null,
    undefined,
  ])
    assert.deepEqual(encodeValue(v), serialize(v), `encoding of ${String(v)}`);
});

test("codec - the empty object (a flow's parameters when it has none) is written as V8 writes it", () => {
  assert.deepEqual(encodeValue({}), serialize({}));
  assert.deepEqual(decodeValue(serialize({})), {});
  // Each decode gives a new object: a task that changes its parameters changes no other run's.
  const bytes = encodeValue({});
  const a = decodeValue<Record<string, number>>(bytes);
  a.x = 1;
  assert.deepEqual(decodeValue(bytes), {});
  // Not empty, or not a plain object: V8's serializer, so the value comes back whole.
  for (const v of [{ a: undefined }, Object.assign(Object.create({ inherited: 1 }), {}), new Map()])
    assert.deepEqual(decodeValue(encodeValue(v)), deserialize(serialize(v)));
  // Bytes that only start like it are not read as it.
  assert.deepEqual(decodeValue(serialize({ a: 1 })), { a: 1 });
});

test("codec - other values go through V8's serializer", () => {
  const v = { a: [1, "x"], m: new Map([[1, new Set([2n])]]), d: new Date(0) };
  assert.deepEqual(decodeValue(encodeValue(v)), v);
  assert.throws(() => encodeValue(() => 1), /could not be cloned/);
});

test("codec - decodeValue reads what V8 writes, small forms without a deserializer", () => {
  const values: unknown[] = [0, 1, -1, 63, -65, 2 ** 30 - 1, -(2 ** 30), 2 ** 31, -(2 ** 31) - 1];
  values.push(1.5, -0, NaN, -Infinity, 1e300, "", "ab", "é ÿ", "x".repeat(127), "x".repeat(128));
  values.push("€", true, false, null, undefined, [1], { a: 1 }, new Uint8Array([1, 2]), 5n);
  for (let i = 0; i < 2000; i++) values.push(Math.floor((i * 2654435761) % 2 ** 33) - 2 ** 32);
  for (const v of values) {
    assert.deepEqual(decodeValue(serialize(v)), v, `V8's bytes of ${String(v)}`);
    if (typeof v !== "object" || v === null)
      assert.ok(Object.is(decodeValue(encodeValue(v)), v), `-0 and NaN survive: ${String(v)}`);
  }
  // A view into a larger buffer (as results arrive, inside a frame) decodes the same.
  const frame = Buffer.concat([Buffer.from([9, 9, 9]), serialize(-12345), serialize("hi")]);
  const a = serialize(-12345).length;
  assert.equal(decodeValue(frame.subarray(3, 3 + a)), -12345);
  assert.equal(decodeValue(frame.subarray(3 + a)), "hi");
});
