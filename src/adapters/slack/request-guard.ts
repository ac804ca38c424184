/**
 * Bolt's HTTP receiver reads `body.ssl_check` of whatever JSON a request carries, outside any
 * try/catch: a signed body of `null` (or a form whose `payload` is `null`) threw an unhandled
 * rejection that took the process down. This guard reads the body first and answers 400 to anything
 * that is not a JSON object, the only shape Slack ever sends
 * (https://docs.slack.dev/apis/events-api/#callback-field); everything else goes on to Bolt as before.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse } from "node:querystring";
import { HTTPModuleFunctions, type HTTPReceiver } from "@slack/bolt";

export function refuseMalformedBodies(receiver: HTTPReceiver, endpoints: readonly string[]): void {
  const bolt: RequestListener = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    if (req.method !== "POST" || !endpoints.includes(path)) return bolt(req, res);
    HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit).then(
      (buffered) => {
        // Bolt reads the body it finds buffered on the request instead of the spent stream.
        if (isObjectOrUnparsable(buffered.rawBody, req.headers["content-type"])) bolt(buffered, res);
        else HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      },
      (err: unknown) => {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && err.statusCode === 413;
        HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      },
    );
  };
}

/** A body Bolt can safely read: a JSON object, or text it refuses by itself (bad JSON → 400). */
function isObjectOrUnparsable(raw: Buffer, contentType: string | undefined): boolean {
  const form = contentType === "application/x-www-form-urlencoded";
  // Text that starts as an object is one or fails to parse: every event body, told from its first
  // bytes (Bolt decodes and reads the whole body itself).
  if (!form && startsAsObject(raw)) return true;
  const text = raw.toString();
  let json = text;
  if (form) {
    const { payload } = parse(text);
    // Slash commands are plain forms; interactions carry their JSON in `payload`.
    if (typeof payload !== "string") return true;
    json = payload;
  }
  // An interaction's JSON, the same test.
  if (/^[ \t\n\r]*\{/.test(json)) return true;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return true;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether the bytes start with `{`, after JSON's whitespace. */
function startsAsObject(raw: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === 0x7b) return true;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return false;
}
