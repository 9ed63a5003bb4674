/**
 * Decoding frames from untrusted devices. ws-common's decoder allocates an array as long as the
 * count a frame claims before reading its entries, so a 20-byte frame claiming 2^40 changes would
 * exhaust memory: the counts are checked against the bytes actually present first.
 */
import { decode, encode, tags, type Msg } from "@vlcn.io/ws-common";
import * as decoding from "lib0/decoding";
import { MIN_CHANGE_WIRE_BYTES, MIN_LAST_SEEN_WIRE_BYTES } from "../shared/constants";
import { errorMessage } from "../shared/errorMessage";

export class FrameError extends Error {}

/** Messages a device may send; everything else is a protocol error. */
const FROM_DEVICE = new Set<number>([tags.AnnouncePresence, tags.Changes, tags.RejectChanges, tags.Ping, tags.Pong]);

function checkCount(decoder: decoding.Decoder, minBytesEach: number, what: string): void {
  const count = decoding.readVarUint(decoder);
  const left = decoder.arr.length - decoder.pos;
  if (count * minBytesEach > left) throw new FrameError(`frame claims ${count} ${what} but has ${left} bytes left`);
}

export function decodeDeviceFrame(bytes: Uint8Array): Msg {
  if (bytes.length === 0) throw new FrameError("empty frame");
  const tag = bytes[0]!;
  if (!FROM_DEVICE.has(tag)) throw new FrameError(`unexpected message type ${tag}`);
  try {
    const decoder = decoding.createDecoder(bytes);
    decoding.readUint8(decoder);
    if (tag === tags.AnnouncePresence) {
      decoding.readUint8Array(decoder, 16);
      checkCount(decoder, MIN_LAST_SEEN_WIRE_BYTES, "last-seen entries");
    } else if (tag === tags.Changes) {
      decoding.readUint8Array(decoder, 16);
      decoding.readBigInt64(decoder);
      decoding.readVarInt(decoder);
      checkCount(decoder, MIN_CHANGE_WIRE_BYTES, "changes");
    }
    return decode(bytes);
  } catch (error) {
    if (error instanceof FrameError) throw error;
    throw new FrameError(`malformed frame: ${errorMessage(error)}`);
  }
}

export { encode };
