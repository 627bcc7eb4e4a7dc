// The shared maker in src/common/tls that both LocalCluster (src/cluster) and the gateway use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey } from "node:crypto";
import {
  isCertificateName,
  makeSelfSignedCredentials,
} from "../../src/common/tls/self-signed-credentials.ts";
import { makeClusterCredentials as clusterLayerCredentials } from "../../src/cluster/index.ts";
import { makeClusterCredentials as gatewayCredentials } from "../../src/gateway/tls/index.ts";

test("tls common - defaults: CN as given, its own CA, a year, SANs for this machine", async () => {
  const creds = await makeSelfSignedCredentials();
  const cert = new X509Certificate(creds.tlsCert);
  assert.equal(cert.subject, "CN=flowgate-cluster");
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.ca, true);
  assert.equal(creds.tlsCa, creds.tlsCert);
  assert.ok(cert.verify(cert.publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(creds.tlsKey)));
  assert.equal(cert.subjectAltName, "DNS:localhost, IP Address:127.0.0.1");
  assert.ok(cert.checkHost("localhost"));
  assert.ok(cert.checkIP("127.0.0.1"));
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.ok(days > 364 && days < 367, `validity ${days} days`);
  assert.ok(/^[0-7]/.test(cert.serialNumber), "a positive serial");
});

test("tls common - the cluster layer's makeClusterCredentials is the shared maker", async () => {
  assert.equal(clusterLayerCredentials, makeSelfSignedCredentials);
  const cert = new X509Certificate((await clusterLayerCredentials("flowgate-local")).tlsCert);
  assert.equal(cert.subject, "CN=flowgate-local");
});

test("tls common - options: validity and host names; gateway certificates name no host", async () => {
  const short = new X509Certificate(
    (await makeSelfSignedCredentials("x", { days: 2, hosts: ["10.0.0.1", "sched.example"] }))
      .tlsCert,
  );
  const days = (Date.parse(short.validTo) - Date.parse(short.validFrom)) / 86_400_000;
  assert.ok(days > 2 && days < 2.01, `validity ${days} days`);
  assert.equal(short.subjectAltName, "IP Address:10.0.0.1, DNS:sched.example");
  const gw = new X509Certificate((await gatewayCredentials("c3")).tlsCert);
  assert.equal(gw.subjectAltName, undefined);
});

test("tls common - unusable common names and validities are refused", async () => {
  for (const bad of ["", "a\u0000b", "x".repeat(257), 7 as unknown as string])
    await assert.rejects(makeSelfSignedCredentials(bad), TypeError);
  await assert.rejects(makeSelfSignedCredentials("x", { days: 0 }), TypeError);
  assert.equal(isCertificateName("a,b=c+d"), true);
  assert.equal(isCertificateName("x".repeat(201), 200), false);
});
