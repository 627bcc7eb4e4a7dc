import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey } from "node:crypto";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import {
  makeClusterCredentials,
  InvalidCredentialsNameError,
} from "../../../src/gateway/tls/index.ts";
import type { ClusterCredentials } from "../../../src/gateway/tls/index.ts";

test("tls - the certificate is its own CA, EC P-256, for server and client auth", async () => {
  const { tlsCert, tlsKey } = await makeClusterCredentials("c1");
  const cert = new X509Certificate(tlsCert);
  assert.equal(cert.subject, "CN=flowgate-c1");
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.ca, true);
  assert.ok(cert.verify(cert.publicKey), "self-signed");
  assert.deepEqual(cert.keyUsage?.sort(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.ok(days > 364 && days < 367, `validity ${days} days`);
  assert.ok(cert.checkPrivateKey(createPrivateKey(tlsKey)));
  const other = await makeClusterCredentials("c1");
  assert.notEqual(other.tlsCert, tlsCert, "each call makes a new key and serial");
});

test("tls - rejects names that cannot be a certificate subject", async () => {
  for (const bad of ["", "a\nb", "x".repeat(201), 42 as unknown as string])
    await assert.rejects(makeClusterCredentials(bad), InvalidCredentialsNameError);
  // Characters that are special in "CN=..." strings are fine.
  const { tlsCert } = await makeClusterCredentials("a,b=c+d");
  assert.equal(new X509Certificate(tlsCert).subject, "CN=flowgate-a\\,b=c\\+d");
});

/** Mutual TLS as the scheduler does it: both sides present a cert and verify it chains to the CA. */
async function handshake(
  server: ClusterCredentials,
  client: ClusterCredentials,
): Promise<{ data: string; serverError?: Error; clientError?: Error }> {
  let serverError: Error | undefined;
  const srv = tls.createServer(
    {
      cert: server.tlsCert,
      key: server.tlsKey,
      ca: server.tlsCert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => socket.end("hello"),
  );
  srv.on("tlsClientError", (e) => (serverError = e));
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = srv.address() as AddressInfo;
    let clientError: Error | undefined;
    const data = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: "127.0.0.1",
        port,
        cert: client.tlsCert,
        key: client.tlsKey,
        ca: server.tlsCert,
        checkServerIdentity: () => undefined,
      });
      let data = "";
      socket.on("data", (d: Buffer) => (data += d.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", (e) => {
        clientError = e;
        resolve(data);
      });
    });
    return { data, serverError, clientError };
  } finally {
    await new Promise((resolve) => srv.close(resolve));
  }
}

test("tls - server and client with the cluster's credentials connect (mutual TLS)", async () => {
  const creds = await makeClusterCredentials("c2");
  const { data, serverError, clientError } = await handshake(creds, creds);
  assert.equal(serverError ?? clientError, undefined);
  assert.equal(data, "hello");
});

test("tls - a client with another cluster's certificate is refused", async () => {
  const mine = await makeClusterCredentials("mine");
  const theirs = await makeClusterCredentials("theirs");
  // With TLS 1.3 the client may finish its half of the handshake before the server checks its
  // certificate; either way the server refuses it and no application data flows.
  const { data, serverError } = await handshake(mine, theirs);
  assert.equal(data, "", "the server never accepted the connection");
  assert.ok(serverError, "the server dropped the handshake");
  // Node drops it without naming why; ask for the reason with rejectUnauthorized off.
  const srv = tls.createServer(
    {
      cert: mine.tlsCert,
      key: mine.tlsKey,
      ca: mine.tlsCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (socket) => socket.end(`${socket.authorized} ${socket.authorizationError}`),
  );
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = srv.address() as AddressInfo;
    const verdict = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({
        host: "127.0.0.1",
        port,
        cert: theirs.tlsCert,
        key: theirs.tlsKey,
        ca: mine.tlsCert,
        checkServerIdentity: () => undefined,
      });
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(
      verdict,
      /^false (UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
    );
  } finally {
    await new Promise((resolve) => srv.close(resolve));
  }
});

test("tls - a server with another cluster's certificate is refused by the client", async () => {
  const mine = await makeClusterCredentials("mine");
  const theirs = await makeClusterCredentials("theirs");
  const serverAsTheirs = { ...theirs };
  await assert.rejects(
    (async () => {
      const srv = tls.createServer(
        { cert: serverAsTheirs.tlsCert, key: serverAsTheirs.tlsKey },
        (s) => s.end("x"),
      );
      srv.on("tlsClientError", () => {});
      await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
      try {
        const { port } = srv.address() as AddressInfo;
        await new Promise((resolve, reject) => {
          const s = tls.connect({
            host: "127.0.0.1",
            port,
            cert: mine.tlsCert,
            key: mine.tlsKey,
            ca: mine.tlsCert,
            checkServerIdentity: () => undefined,
          });
          s.on("secureConnect", resolve);
          s.on("error", reject);
        });
      } finally {
        await new Promise((r) => srv.close(r));
      }
    })(),
    /self[- ]signed|unable to verify|certificate/i,
  );
});
