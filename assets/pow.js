// Proof-of-work for the booking wizard (ALTCHA v1): solved in a Web Worker while the citizen
// reads the summary. No tracking, no third party; the page only waits if the citizen presses
// "confirm" before the puzzle is solved, and then says so in a polite live region.
let current = null;

export function start(challenge) {
  if (current && current.signature === challenge.signature) return current.promise;
  const entry = { signature: challenge.signature, done: false };
  entry.promise = new Promise((resolve) => {
    let worker;
    try {
      worker = new Worker(new URL("/pow-worker.js", import.meta.url));
    } catch (problem) {
      resolve("");
      return;
    }
    worker.onmessage = (event) => { worker.terminate(); resolve(event.data || ""); };
    worker.onerror = () => { worker.terminate(); resolve(""); };
    worker.postMessage(challenge);
  }).then((payload) => { entry.done = true; return payload; });
  current = entry;
  return entry.promise;
}

export async function solution() {
  const entry = current;
  if (!entry) return "";
  current = null; // a solution is used once
  const status = document.getElementById("pow-status");
  if (status && !entry.done) status.textContent = status.dataset.text || "";
  const payload = await entry.promise;
  if (status) status.textContent = "";
  return payload;
}
