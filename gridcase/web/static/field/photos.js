// Photos made small on the phone before they are stored or sent (issue 12): the longest side
// at most 1600 px, a JPEG of at most 500 KB (the quality lowered step by step, then the size if
// even the lowest quality is too big). The server still checks the bytes it gets.
// Each photo is named by the SHA-256 of its bytes: the upload's key (case, sha256), so that a
// resumed upload skips what the server has and never sends one twice.

export const MAX_SIDE = 1600;
export const MAX_BYTES = 500 * 1024;
const QUALITIES = [0.86, 0.78, 0.7, 0.62, 0.54, 0.46, 0.38];

export class NotAnImage extends Error {}
export class TooBig extends Error {}

async function decode(file) {
  try {
    // The camera's orientation (EXIF) applied, as the officer saw the picture.
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new NotAnImage(file.name);
  }
}

function encode(bitmap, width, height, quality) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a transparent PNG becomes a white background, not black
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The photo as it is kept and sent: {blob, sha256, width, height, size, name}. */
export async function shrink(file) {
  const bitmap = await decode(file);
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  try {
    for (let round = 0; round < 6; round += 1) {
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      for (const quality of QUALITIES) {
        const blob = await encode(bitmap, width, height, quality);
        if (blob && blob.size <= MAX_BYTES) {
          const sha256 = await sha256Hex(blob);
          return { blob, sha256, width, height, size: blob.size, name: `${sha256}.jpg` };
        }
      }
      scale *= 0.75; // even the lowest quality is too big: fewer pixels
    }
  } finally {
    bitmap.close();
  }
  throw new TooBig(file.name);
}
