/**
 * RFC 4475 torture tests: every fixture of test/data/rfc4475/MANIFEST.tsv parses to the values
 * the RFC describes (valid ones) or fails with the status the RFC asks for (invalid ones).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createResponse, parseMessage, toUtf8 } from "../../src/sip/index.js";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/types.js";

const DIR = new URL("../data/rfc4475/", import.meta.url);
const load = (file: string): Buffer => readFileSync(new URL(file, DIR));

interface Row {
  file: string;
  section: string;
  verdict: string;
}
const rows: Row[] = readFileSync(new URL("MANIFEST.tsv", DIR), "latin1")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim() !== "")
  .map((l) => {
    const [file, section, , verdict] = l.split("\t");
    return { file, section, verdict };
  });

function ok(file: string): SipMessage {
  const r = parseMessage(load(file));
  assert.ok(r.ok, r.ok ? "" : `${file}: ${r.error.code} ${r.error.reason}`);
  return r.message;
}
function req(file: string): SipRequest {
  const m = ok(file);
  assert.equal(m.kind, "request");
  return m as SipRequest;
}
function res(file: string): SipResponse {
  const m = ok(file);
  assert.equal(m.kind, "response");
  return m as SipResponse;
}

/** Concrete values from the RFC 4475 text for each valid message. */
const VALID: Record<string, () => void> = {
  "wsinv.dat": () => {
    const m = req("wsinv.dat");
    assert.equal(m.method, "INVITE");
    assert.equal(m.uriText, "sip:vivekg@chair-dnrc.example.com;unknownparam");
    assert.equal(m.uri.host, "chair-dnrc.example.com");
    assert.equal(m.uri.params.get("unknownparam"), null);
    assert.deepEqual(
      m.vias.map((v) => [v.protocol, v.transport, v.host, v.branch]),
      [
        ["SIP/2.0", "UDP", "192.0.2.2", "390skdjuw"],
        ["SIP/2.0", "TCP", "spindle.example.com", "z9hG4bK9ikj8"],
        ["SIP/2.0", "UDP", "192.168.255.111", "z9hG4bK30239"],
      ],
    );
    assert.equal(m.to?.tag, "1918181833n");
    assert.equal(m.to?.uri.user, "vivekg");
    assert.equal(m.from?.displayName, 'J Rosenberg \\"');
    assert.equal(m.from?.tag, "98asjd8");
    assert.equal(m.maxForwards, 68);
    assert.equal(m.callId, "wsinv.ndaksdj@192.0.2.1");
    assert.deepEqual(m.cseq, { seq: 9, method: "INVITE" });
    assert.equal(m.get("subject"), "");
    assert.equal(m.get("NewFangledHeader"), "newfangled value continued newfangled value");
    assert.equal(m.get("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
    const [contact] = m.nameAddrs("m");
    assert.equal(contact.displayName, 'Quoted string ""');
    assert.equal(contact.params.get("newparam"), "newvalue");
    assert.equal(contact.params.get("secondparam"), null);
    assert.equal(contact.params.get("q"), "0.33");
    assert.equal(m.nameAddrs("route")[0].uri.params.get("unknownwith"), "value");
    assert.equal(m.body.length, 150);
  },
  "intmeth.dat": () => {
    const m = req("intmeth.dat");
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.equal(m.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(m.uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(m.uri.host, "example.com");
    assert.equal(m.topVia?.branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(m.to?.displayName, "BEL:\x07 NUL:\x00 DEL:\x7f");
    assert.equal(m.from?.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(m.from?.tag, "_token~1'+`*%!-.");
    assert.equal(toUtf8(m.from?.params.get("fromparam''~+*_!.-%") ?? ""), '"работающий"');
    assert.equal(m.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert.equal(m.cseq?.method, m.method);
    assert.equal(m.maxForwards, 255);
    assert.equal(m.body.length, 0);
  },
  "esc01.dat": () => {
    const m = req("esc01.dat");
    assert.equal(m.uri.user, "sips%3Auser%40example.com");
    assert.equal(m.uri.host, "example.net");
    assert.equal(m.to?.uri.user, "%75se%72");
    assert.equal(m.from?.uri.user, "I%20have%20spaces");
    const [contact] = m.nameAddrs("contact");
    assert.equal(contact.uri.user, "cal%6Cer");
    assert.equal(contact.uri.params.get("n%61me"), "v%61lue%25%34%31");
    assert.equal(m.body.length, 150);
  },
  "escnull.dat": () => {
    const m = req("escnull.dat");
    assert.equal(m.to?.uri.user, "null-%00-null");
    const users = m.nameAddrs("contact").map((c) => c.uri.user);
    assert.deepEqual(users, ["%00", "%00%00"]);
    assert.notEqual(users[0], users[1]);
  },
  "esc02.dat": () => {
    const m = req("esc02.dat");
    assert.equal(m.method, "RE%47IST%45R");
    assert.notEqual(m.method, "REGISTER");
    assert.equal(m.cseq?.method, "RE%47IST%45R");
    assert.equal(m.to?.displayName, "%Z%45");
    assert.equal(m.topVia?.branch, "z9hG4bK209%fzsnel234");
    // "C%6Fntact" is an unknown header, not a Contact: two Contact values.
    assert.equal(m.nameAddrs("contact").length, 2);
    assert.equal(m.get("C%6Fntact"), "<sip:alias2@host2.example.com>");
  },
  "lwsdisp.dat": () => {
    const m = req("lwsdisp.dat");
    assert.equal(m.from?.displayName, "caller");
    assert.equal(m.from?.uri.user, "caller");
    assert.equal(m.from?.tag, "323");
  },
  "longreq.dat": () => {
    const m = req("longreq.dat");
    assert.equal(m.to?.displayName, `I have a user name of ${"extreme".repeat(10)} proportion`);
    assert.equal(m.to?.uri.port, 6000);
    assert.equal(m.to?.uri.params.get("unknownparam1"), `very${"long".repeat(20)}value`);
    assert.equal(m.from?.tag?.length, 155);
    assert.equal(m.from?.uri.user, "amazinglylongcallername".repeat(5));
    assert.equal(m.callId, `longreq.one${"really".repeat(20)}longcallid`);
    assert.deepEqual(m.cseq, { seq: 3882340, method: "INVITE" });
    assert.equal(m.vias.length, 34);
    assert.equal(m.topVia?.host, "sip33.example.com");
    assert.equal(m.vias[33].received, "192.0.2.5");
    assert.equal(m.maxForwards, 70);
    assert.equal(m.body.length, 150);
  },
  "dblreq.dat": () => {
    const data = load("dblreq.dat");
    const m = req("dblreq.dat");
    assert.equal(m.method, "REGISTER");
    assert.equal(m.callId, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
    assert.equal(m.body.length, 0);
    const out = m.serialize();
    assert.equal(out.length, 300);
    assert.deepEqual(out, data.subarray(0, 300));
    assert.ok(!out.includes("INVITE"));
  },
  "semiuri.dat": () => {
    const m = req("semiuri.dat");
    assert.equal(m.uri.user, "user;par=u%40example.net");
    assert.equal(m.uri.host, "example.com");
    assert.equal(m.uri.params.size, 0);
    assert.deepEqual(m.getAll("accept"), [
      "application/sdp",
      "application/pkcs7-mime",
      "multipart/mixed",
      "multipart/signed",
      "message/sip",
      "message/sipfrag",
    ]);
  },
  "transports.dat": () => {
    const m = req("transports.dat");
    assert.deepEqual(
      m.vias.map((v) => v.transport),
      ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"],
    );
    assert.equal(m.callId, "transports.kijh4akdnaqjkwendsasfdj");
  },
  "mpart01.dat": () => {
    const data = load("mpart01.dat");
    const m = req("mpart01.dat");
    assert.equal(m.method, "MESSAGE");
    assert.equal(m.body.length, 553);
    assert.ok(m.body.includes(0));
    assert.deepEqual(m.body, data.subarray(data.length - 553));
    assert.equal(m.get("content-type"), "multipart/mixed;boundary=7a9cbec02ceef655");
    assert.equal(m.topVia?.rport, null);
  },
  "unreason.dat": () => {
    const m = res("unreason.dat");
    assert.equal(m.status, 200);
    assert.equal(toUtf8(m.reason), "= 2**3 * 5**2 но сто девяносто девять - простое");
    assert.equal(m.body.length, 154);
  },
  "noreason.dat": () => {
    const m = res("noreason.dat");
    assert.equal(m.status, 100);
    assert.equal(m.reason, "");
  },
  "badbranch.dat": () => {
    const m = req("badbranch.dat");
    assert.equal(m.topVia?.branch, "z9hG4bK");
  },
  "unkscm.dat": () => {
    const m = req("unkscm.dat");
    assert.equal(m.uri.scheme, "nobodyknowsthisscheme");
    assert.equal(m.uri.opaque, "totallyopaquecontent");
  },
  "novelsc.dat": () => {
    const m = req("novelsc.dat");
    assert.equal(m.uri.scheme, "soap.beep");
    assert.equal(m.uri.opaque, "//192.0.2.103:3002");
  },
  "unksm2.dat": () => {
    const m = req("unksm2.dat");
    assert.equal(m.to?.uri.scheme, "isbn");
    assert.equal(m.to?.uri.opaque, "2983792873");
    assert.equal(m.from?.uri.scheme, "http");
    assert.equal(m.from?.tag, "3234233");
    assert.equal(m.nameAddrs("contact")[0].uri.scheme, "name");
  },
  "bext01.dat": () => {
    const m = req("bext01.dat");
    assert.deepEqual(m.getAll("require"), ["nothingSupportsThis", "nothingSupportsThisEither"]);
    assert.deepEqual(m.getAll("proxy-require"), ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]);
  },
  "invut.dat": () => {
    const m = req("invut.dat");
    assert.equal(m.get("content-type"), "application/unknownformat");
    assert.equal(m.body.length, 40);
  },
  "regaut01.dat": () => {
    const m = req("regaut01.dat");
    assert.equal(m.get("authorization"), "NoOneKnowsThisScheme opaque-data=here");
  },
  "bcast.dat": () => {
    const m = res("bcast.dat");
    assert.equal(m.vias[1].host, "255.255.255.255");
  },
  "zeromf.dat": () => {
    assert.equal(req("zeromf.dat").maxForwards, 0);
  },
  "cparam01.dat": () => {
    const [c] = req("cparam01.dat").nameAddrs("contact");
    assert.equal(c.bracketed, false);
    assert.equal(c.params.get("unknownparam"), null);
    assert.equal(c.uri.params.has("unknownparam"), false);
    assert.equal(c.uri.user, "+19725552222");
  },
  "cparam02.dat": () => {
    const [c] = req("cparam02.dat").nameAddrs("contact");
    assert.equal(c.bracketed, true);
    assert.equal(c.uri.params.get("unknownparam"), null);
    assert.equal(c.params.has("unknownparam"), false);
  },
  "regescrt.dat": () => {
    const [c] = req("regescrt.dat").nameAddrs("m");
    assert.deepEqual(c.uri.headers, [["Route", "%3Csip:sip.example.com%3E"]]);
    assert.equal(c.uri.raw, "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
  },
  "sdp01.dat": () => {
    const m = req("sdp01.dat");
    assert.equal(m.get("accept"), "text/nobodyKnowsThis");
  },
  "inv2543.dat": () => {
    const m = req("inv2543.dat");
    assert.equal(m.topVia?.branch, undefined);
    assert.equal(m.from?.tag, undefined);
    assert.equal(m.has("content-length"), false);
    assert.equal(m.maxForwards, undefined);
    assert.equal(m.body.length, load("inv2543.dat").length - load("inv2543.dat").indexOf("\r\n\r\n") - 4);
    assert.equal(m.to?.uri.params.get("user"), undefined);
    assert.equal(m.to?.params.get("user"), "phone");
  },
  "baddate.dat": () => {
    // RFC 4475 3.1.2.12: Date matters to nobody here, so it is not validated.
    assert.equal(req("baddate.dat").get("date"), "Fri, 01 Jan 2010 16:00:00 EST");
  },
};

/** Expected failures: status, and whether the request can be answered. */
const INVALID: Record<string, { status: number; answerable: boolean; code?: string }> = {
  "badinv01.dat": { status: 400, answerable: true, code: "bad-value" },
  "clerr.dat": { status: 400, answerable: true, code: "incomplete" },
  "ncl.dat": { status: 400, answerable: true, code: "bad-content-length" },
  "scalar02.dat": { status: 400, answerable: true, code: "bad-value" },
  "scalarlg.dat": { status: 400, answerable: false },
  "quotbal.dat": { status: 400, answerable: true, code: "bad-value" },
  "ltgtruri.dat": { status: 400, answerable: true, code: "bad-start-line" },
  "lwsruri.dat": { status: 400, answerable: true, code: "bad-start-line" },
  "lwsstart.dat": { status: 400, answerable: true, code: "bad-start-line" },
  "trws.dat": { status: 400, answerable: true, code: "bad-start-line" },
  "escruri.dat": { status: 400, answerable: true, code: "bad-start-line" },
  "regbadct.dat": { status: 400, answerable: true, code: "bad-value" },
  "badaspec.dat": { status: 400, answerable: true, code: "bad-value" },
  "baddn.dat": { status: 400, answerable: true, code: "bad-value" },
  "badvers.dat": { status: 505, answerable: true, code: "bad-version" },
  "mismatch01.dat": { status: 400, answerable: true, code: "bad-value" },
  "mismatch02.dat": { status: 501, answerable: true, code: "bad-value" },
  "bigcode.dat": { status: 400, answerable: false, code: "bad-start-line" },
  "insuf.dat": { status: 400, answerable: true, code: "missing-header" },
  "multi01.dat": { status: 400, answerable: true, code: "multiple-values" },
  "mcl01.dat": { status: 400, answerable: true, code: "bad-content-length" },
};

const REASONS: Record<string, RegExp> = {
  "scalar02.dat": /CSeq/,
  "scalarlg.dat": /CSeq/,
  "quotbal.dat": /To/,
  "insuf.dat": /Missing From/,
  "badinv01.dat": /Via/,
  "regbadct.dat": /Contact/,
  "multi01.dat": /Multiple Call-ID/,
};

describe("RFC 4475 torture messages", () => {
  it("the manifest lists 49 fixtures, each covered by an expectation", () => {
    assert.equal(rows.length, 49);
    for (const row of rows) {
      assert.ok(row.file in VALID !== row.file in INVALID, `${row.file}: exactly one expectation`);
    }
  });

  for (const row of rows) {
    it(`${row.file} (${row.section}, ${row.verdict})`, () => {
      const check = VALID[row.file];
      if (check !== undefined) {
        // RFC 4475 3.1.2.12: an element that does not care about Date may accept baddate.
        if (row.file !== "baddate.dat")
          assert.ok(!row.verdict.startsWith("invalid"), "manifest says invalid");
        check();
        const data = load(row.file);
        const r = parseMessage(data);
        assert.ok(r.ok);
        // An untouched message serializes to its own bytes (dblreq: minus the trailing octets).
        if (row.file !== "dblreq.dat") assert.deepEqual(r.message.serialize(), data);
        return;
      }
      const want = INVALID[row.file];
      assert.ok(row.verdict.startsWith("invalid"), "manifest says valid");
      const r = parseMessage(load(row.file));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.status, want.status, r.error.reason);
      assert.equal(r.error.answerable, want.answerable, r.error.reason);
      if (want.code !== undefined) assert.equal(r.error.code, want.code);
      const reason = REASONS[row.file];
      if (reason !== undefined) assert.match(r.error.reason, reason);
      if (want.answerable) {
        assert.equal(r.error.message?.kind, "request");
        // What makes it answerable: a Via to send the response to (RFC 3261 18.2.2).
        const vias = r.error.message?.headers.filter((h) => h.key === "via") ?? [];
        assert.ok(vias.length > 0, `${row.file}: an answerable request has a Via`);
      }
    });
  }

  it("a 400 to an answerable malformed request copies Via, From, To, Call-ID and CSeq as received", () => {
    for (const [file, want] of Object.entries(INVALID)) {
      if (!want.answerable) continue;
      const r = parseMessage(load(file));
      assert.ok(!r.ok && r.error.message?.kind === "request", file);
      const request = r.error.message as SipRequest;
      const response = createResponse(request, r.error.status, r.error.reason);
      const again = parseMessage(response.serialize());
      const text = response.serialize().toString("latin1");
      for (const key of ["via", "from", "to", "call-id", "cseq"]) {
        for (const value of request.headers
          .filter((h) => h.key === key)
          .map((h) => h.value)
          .slice(0, key === "via" ? undefined : 1)) {
          assert.ok(text.includes(`: ${value}\r\n`), `${file}: ${key} "${value}" not copied`);
        }
      }
      // Well-formed copies parse again; malformed ones stay as received for the peer to match.
      if (again.ok) assert.equal(again.message.callId, request.callId);
    }
  });

  it("a request whose top Via does not parse is still answerable; without any Via it is not", () => {
    const r = parseMessage(load("badinv01.dat"));
    assert.ok(!r.ok && r.error.answerable);
    assert.equal(r.error.message?.topVia, undefined);
    const noVia = load("badinv01.dat")
      .toString("latin1")
      .replace(/Via: [^\r]*\r\n/, "");
    const r2 = parseMessage(Buffer.from(noVia, "latin1"));
    assert.ok(!r2.ok && !r2.error.answerable);
  });

  it("a response error is never answerable (the caller drops it)", () => {
    for (const file of ["scalarlg.dat", "bigcode.dat"]) {
      const r = parseMessage(load(file));
      assert.ok(!r.ok && !r.error.answerable);
    }
  });
});
