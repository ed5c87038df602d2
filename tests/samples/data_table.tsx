import { useState } from "react";

export interface Column<Row> {
  key: keyof Row & string;
  title: string;
  render?: (row: Row) => React.ReactNode;
  sortable?: boolean;
}

type SortState = { key: string; direction: "asc" | "desc" } | null;

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a ?? "").localeCompare(String(b ?? ""), undefined, { numeric: true });
}

function sortRows<Row>(rows: Row[], sort: SortState): Row[] {
  if (!sort) return rows;
  const sorted = [...rows].sort((x, y) =>
    compareValues(x[sort.key as keyof Row], y[sort.key as keyof Row]),
  );
  return sort.direction === "asc" ? sorted : sorted.reverse();
}

export function DataTable<Row extends { id: string }>({
  rows,
  columns,
  pageSize = 20,
}: {
  rows: Row[];
  columns: Column<Row>[];
  pageSize?: number;
}) {
  const [sort, setSort] = useState<SortState>(null);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const visible = sortRows(rows, sort).slice(page * pageSize, (page + 1) * pageSize);

  function toggleSort(key: string) {
    setSort((current) =>
      current?.key === key && current.direction === "asc"
        ? { key, direction: "desc" }
        : { key, direction: "asc" },
    );
  }

  return (
    <table>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} onClick={() => c.sortable && toggleSort(c.key)}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {visible.map((row) => (
          <tr key={row.id}>
            {columns.map((c) => (
              <td key={c.key}>{c.render ? c.render(row) : String(row[c.key])}</td>
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={columns.length}>
            <button disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
            Page {page + 1} of {pages}
            <button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
