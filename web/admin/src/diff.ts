// Small LCS diff for the revision view. Chinese text has no spaces, so the
// unit is a character for short texts and a line for long ones.
export interface Piece {
  op: 'eq' | 'del' | 'ins'
  text: string
}

export function stripTags(html: string): string {
  return html
    .replace(/<\/(p|div|h[1-6]|li|tr|br)>/gi, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\n{2,}/g, '\n')
    .trim()
}

export function diff(a: string, b: string): Piece[] {
  const byLine = a.length * b.length > 4_000_000
  const A = byLine ? a.split(/(?<=\n)/) : [...a]
  const B = byLine ? b.split(/(?<=\n)/) : [...b]
  const n = A.length,
    m = B.length
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = A[i] === B[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1])
  const out: Piece[] = []
  const push = (op: Piece['op'], s: string) => {
    const l = out[out.length - 1]
    if (l && l.op === op) l.text += s
    else out.push({ op, text: s })
  }
  let i = 0,
    j = 0
  while (i < n && j < m) {
    if (A[i] === B[j]) {
      push('eq', A[i])
      i++
      j++
    } else if (dp[i + 1][j] >= dp[i][j + 1]) push('del', A[i++])
    else push('ins', B[j++])
  }
  while (i < n) push('del', A[i++])
  while (j < m) push('ins', B[j++])
  return out
}
