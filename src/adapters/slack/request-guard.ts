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
        if (isObjectOrUnparsable(buffered.rawBody.toString(), req.headers["content-type"]))
          bolt(buffered, res);
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
function isObjectOrUnparsable(text: string, contentType: string | undefined): boolean {
  let json = text;
  if (contentType === "application/x-www-form-urlencoded") {
    const { payload } = parse(text);
    // Slash commands are plain forms; interactions carry their JSON in `payload`.
    if (typeof payload !== "string") return true;
    json = payload;
  }
  // Text that starts as an object is one or fails to parse: every event body, read once (by Bolt).
  if (/^[ \t\n\r]*\{/.test(json)) return true;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return true;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
