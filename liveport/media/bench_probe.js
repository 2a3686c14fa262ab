// `liveport bench media`: evaluated in the room page by Playwright. For each frame the
// video presents (requestVideoFrameCallback), it copies the bottom strip of that frame to
// a canvas, reads the capture time the synthetic camera drew there (liveport/media/
// timecode.py: 4 sync bits, 42 bits of Unix ms, a 2-bit check) and compares it with the
// wall-clock time the frame is displayed. Resolves with the delays in milliseconds.
(durationMs) => new Promise((resolve) => {
  const SYNC = [1, 0, 1, 1];
  const DATA_BITS = 42;
  const CHECK_BITS = 2;
  const BITS = SYNC.length + DATA_BITS + CHECK_BITS;
  const BLOCK_H = 16;
  const MARGIN = 6;
  const video = document.getElementById("video");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const delays = [];
  let unreadable = 0;
  const started = performance.now();

  function decode(bits) {
    for (let i = 0; i < SYNC.length; i++) { if (bits[i] !== SYNC[i]) { return null; } }
    let data = 0;
    let ones = 0;
    for (let i = SYNC.length; i < SYNC.length + DATA_BITS; i++) {
      data = data * 2 + bits[i]; // beyond 32 bits: arithmetic, not bit operators
      ones += bits[i];
    }
    let check = 0;
    for (let i = SYNC.length + DATA_BITS; i < BITS; i++) { check = check * 2 + bits[i]; }
    return check === ones % (1 << CHECK_BITS) ? data : null;
  }

  function read(width, height) {
    const blockW = Math.floor(width / BITS);
    const x0 = Math.floor((width - blockW * BITS) / 2);
    const y0 = height - BLOCK_H - MARGIN;
    canvas.width = width;
    canvas.height = BLOCK_H;
    context.drawImage(video, 0, y0, width, BLOCK_H, 0, 0, width, BLOCK_H);
    const pixels = context.getImageData(0, 0, width, BLOCK_H).data;
    const bits = [];
    for (let bit = 0; bit < BITS; bit++) {
      const cx = x0 + bit * blockW + Math.floor(blockW / 2);
      const cy = Math.floor(BLOCK_H / 2);
      let sum = 0;
      let n = 0;
      for (let dy = -2; dy <= 2; dy += 2) {
        for (let dx = -2; dx <= 2; dx += 2) {
          const at = ((cy + dy) * width + cx + dx) * 4;
          sum += 0.299 * pixels[at] + 0.587 * pixels[at + 1] + 0.114 * pixels[at + 2];
          n++;
        }
      }
      bits.push(sum / n >= 128 ? 1 : 0);
    }
    return decode(bits);
  }

  function onFrame(now, meta) {
    if (video.videoWidth && video.videoHeight) {
      const captured = read(video.videoWidth, video.videoHeight);
      const shown = performance.timeOrigin + (meta.expectedDisplayTime || now);
      if (captured === null) { unreadable++; } else { delays.push(shown - captured); }
    }
    if (performance.now() - started < durationMs) {
      video.requestVideoFrameCallback(onFrame);
    } else {
      resolve({ delays: delays, unreadable: unreadable, currentTime: video.currentTime });
    }
  }

  video.requestVideoFrameCallback(onFrame);
})
