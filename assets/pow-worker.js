// Finds the number n (0..maxnumber) with SHA-256(salt + n) == challenge; answers the ALTCHA
// payload (base64 JSON) or "" when there is none.
self.onmessage = async (event) => {
  const c = event.data;
  const wanted = new Uint8Array(c.challenge.match(/../g).map((h) => parseInt(h, 16)));
  const encoder = new TextEncoder();
  for (let n = 0; n <= c.maxnumber; n++) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(c.salt + n)));
    let same = digest.length === wanted.length;
    for (let i = 0; same && i < digest.length; i++) same = digest[i] === wanted[i];
    if (same) {
      const payload = { algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature };
      self.postMessage(btoa(JSON.stringify(payload)));
      return;
    }
  }
  self.postMessage("");
};
