import type { Column } from './api'
export interface ColumnNode extends Column {
  children: ColumnNode[]
}
export function buildTree(cols: Column[]): ColumnNode[] {
  const byId = new Map<number, ColumnNode>()
  for (const c of cols) byId.set(c.id, { ...c, children: [] })
  const roots: ColumnNode[] = []
  for (const n of byId.values()) {
    const p = n.parent_id ? byId.get(n.parent_id) : undefined
    if (p) p.children.push(n)
    else roots.push(n)
  }
  const sort = (l: ColumnNode[]) => {
    l.sort((a, b) => a.sort_order - b.sort_order || a.id - b.id)
    l.forEach((x) => sort(x.children))
  }
  sort(roots)
  return roots
}
