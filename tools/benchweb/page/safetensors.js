// safetensors.js parses a safetensors file (8-byte little-endian header
// length, JSON header, raw little-endian tensors) into Float32Arrays, for the
// TensorFlow.js page. It reads F32 only: the shipped weights are F32.
"use strict";

function parseSafetensors(buf) {
  const view = new DataView(buf);
  if (buf.byteLength < 8) throw new Error("safetensors: file shorter than its 8-byte header length");
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > buf.byteLength) throw new Error(`safetensors: header of ${n} bytes runs past the end`);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, n)));
  const tensors = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (t.dtype !== "F32") throw new Error(`safetensors: tensor ${name} is ${t.dtype}, this page reads F32 only`);
    const [begin, end] = t.data_offsets;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * count || 8 + n + end > buf.byteLength) {
      throw new Error(`safetensors: tensor ${name}: offsets ${begin}..${end} do not fit shape ${t.shape}`);
    }
    // slice copies, so the array is aligned whatever the offset.
    tensors[name] = { shape: t.shape, data: new Float32Array(buf.slice(8 + n + begin, 8 + n + end)) };
  }
  return { tensors, meta: header.__metadata__ || {} };
}
