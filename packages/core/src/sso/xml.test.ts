import { describe, expect, it } from "vitest";
import { createTestSigningKeys } from "../testing/saml-idp.js";
import { parseCertificate } from "./idp-metadata.js";
import { decodeSamlResponse, parseInstant } from "./saml-response.js";
import { parseStrictXml, XmlRefusal } from "./xml.js";

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof XmlRefusal) return error.reason;
    throw error;
  }
  return undefined;
}

describe("parseStrictXml", () => {
  it("parses one namespaced document", () => {
    const root = parseStrictXml('<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns="urn:x"><b>t</b></a>\n');
    expect(root.localName).toBe("a");
    expect(root.namespaceURI).toBe("urn:x");
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "xml_doctype"],
    ["<a><!--c--></a>", "xml_comment"],
    ["<a><![CDATA[x]]></a>", "xml_cdata"],
    ["<a><?pi x?></a>", "xml_processing_instruction"],
    ['<?xml-stylesheet href="s"?><a/>', "xml_processing_instruction"],
    ["<a/><b/>", "xml_multiple_roots"],
    ["<a/>text", "xml_multiple_roots"],
    // xmldom only warns about this one; it is refused all the same.
    ["<a><b></a>", "xml_malformed"],
    ["<a>&unknown;</a>", "xml_malformed"],
    ["<p:a/>", "xml_unbound_prefix"],
    ["<a>\u0000</a>", "xml_forbidden_character"],
    ["", "xml_malformed"],
    [`${"<a>".repeat(50)}${"</a>".repeat(50)}`, "xml_too_deep"],
  ])("refuses %j (%s)", (text, expected) => {
    expect(reason(() => parseStrictXml(text))).toBe(expected);
  });
});

describe("decodeSamlResponse", () => {
  it("accepts line-wrapped base64 and refuses anything else before parsing", () => {
    const base64 = Buffer.from("<a/>").toString("base64");
    expect(decodeSamlResponse(`${base64.slice(0, 4)}\r\n${base64.slice(4)}`)).toEqual({
      xml: "<a/>",
      base64,
    });
    expect(reason(() => decodeSamlResponse(undefined))).toBe("response_missing");
    expect(reason(() => decodeSamlResponse("PGEvPg=x"))).toBe("response_not_base64");
    expect(reason(() => decodeSamlResponse("PGEvPgA"))).toBe("response_not_base64");
    expect(reason(() => decodeSamlResponse(Buffer.from([0xff, 0xfe, 0x3c]).toString("base64")))).toBe(
      "response_not_utf8",
    );
    expect(reason(() => decodeSamlResponse("A".repeat(256 * 1024 + 1)))).toBe("response_too_large");
  });
});

describe("parseInstant", () => {
  it("reads UTC xs:dateTime only", () => {
    expect(parseInstant("2026-01-05T09:00:00Z", "t")?.toISOString()).toBe("2026-01-05T09:00:00.000Z");
    expect(parseInstant("2026-01-05T09:00:00.123456Z", "t")?.toISOString()).toBe("2026-01-05T09:00:00.123Z");
    expect(parseInstant(null, "t")).toBeNull();
    for (const bad of ["2026-01-05T09:00:00+01:00", "2026-01-05 09:00:00Z", "2026-02-30T09:00:00Z", "soon"]) {
      expect(reason(() => parseInstant(bad, "t"))).toBe("t");
    }
  });
});

describe("parseCertificate", () => {
  it("normalizes a PEM or bare base64 certificate and refuses keys and garbage", () => {
    const keys = createTestSigningKeys();
    const parsed = parseCertificate(`\n${keys.certificate}\n`);
    expect(parsed.pem).toBe(keys.certificate.trim());
    const bare = keys.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");
    expect(parseCertificate(bare).pem).toBe(parsed.pem);
    expect(reason(() => parseCertificate(keys.privateKey))).toBe("certificate_private_key");
    expect(reason(() => parseCertificate("hello"))).toBe("certificate_malformed");
    expect(reason(() => parseCertificate(`${keys.certificate}${keys.certificate}`))).toBe(
      "certificate_malformed",
    );
  });
});
