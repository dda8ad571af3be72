import type { Column, Schemas } from './api'
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

export type ReorderItem = Schemas['ColumnReorder']['items'][number]
// What a drop changed, for POST /sites/{id}/columns/reorder: `siblings` in their new
// order under `parentId`, numbered 0, 10, 20…; the moved column also gets its new
// parent. Columns already in place are left out.
export function reorderItems(siblings: Column[], movedId: number, parentId: number | null): ReorderItem[] {
  const items: ReorderItem[] = []
  siblings.forEach((c, i) => {
    const item: ReorderItem = { id: c.id }
    if (c.sort_order !== i * 10) item.sort_order = i * 10
    if (c.id === movedId && (c.parent_id ?? null) !== parentId) item.parent_id = parentId
    if (item.sort_order !== undefined || item.parent_id !== undefined) items.push(item)
  })
  return items
}
