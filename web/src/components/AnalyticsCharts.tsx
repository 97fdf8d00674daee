/**
 * The analytics charts, loaded only on the analytics page (this module and Chart.js are a separate chunk).
 * Address space by account (donut), allocations by parent pool (bar), allocations created over time (line);
 * clicking a slice, bar or point filters the table.
 */
import { useEffect, useRef } from "react";
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { accountColor } from "../lib/colors";

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export interface ChartsData {
  byAccount: { id: string | null; name: string; addresses: number }[];
  byPool: { id: string; name: string; allocations: number }[];
  overTime: { period: string; allocations: number }[];
}

/**
 * One chart's configuration: a single dataset of `rows`, no animation, and a click on a slice, bar or point
 * calls `onPick` with its row. The drawn elements' centres are written to the canvas as `data-points`
 * (CSS pixels), so a test can click a given element.
 */
function chartConfig<T>(
  type: "doughnut" | "bar" | "line",
  rows: readonly T[],
  o: {
    label: (row: T) => string;
    value: (row: T) => number;
    color: string | ((row: T) => string);
    series?: string;
    legend?: "right";
    onPick: (row: T) => void;
  },
): ChartConfiguration {
  const colors = typeof o.color === "string" ? o.color : rows.map(o.color);
  return {
    type,
    data: {
      labels: rows.map(o.label),
      datasets: [
        {
          label: o.series,
          data: rows.map(o.value),
          backgroundColor: colors,
          ...(type === "line" ? { borderColor: colors } : {}),
        },
      ],
    },
    options: {
      animation: false,
      plugins: { legend: o.legend ? { position: o.legend } : { display: false } },
      onClick: (_e, els) => {
        const row = els[0] ? rows[els[0].index] : undefined;
        if (row !== undefined) o.onPick(row);
      },
    },
    plugins: [
      {
        id: "hitPoints",
        afterRender: (chart) => {
          const points = chart.getDatasetMeta(0).data.map((el, i) => {
            const p = el.tooltipPosition(true);
            return { label: o.label(rows[i]!), x: Math.round(p.x ?? 0), y: Math.round(p.y ?? 0) };
          });
          chart.canvas.dataset.points = JSON.stringify(points);
        },
      },
    ],
  };
}

function useChart(config: () => ChartConfiguration, deps: unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, config());
    return () => chart.destroy();
  }, deps);
  return ref;
}

export default function AnalyticsCharts(props: {
  data: ChartsData;
  onAccount: (id: string) => void;
  onPool: (id: string) => void;
  onPeriod: (period: string) => void;
}) {
  const { byAccount, byPool, overTime } = props.data;
  const text = getComputedStyle(document.documentElement).getPropertyValue("--text").trim() || "#1b1f24";
  Chart.defaults.color = text;
  const donut = useChart(
    () =>
      chartConfig("doughnut", byAccount, {
        label: (a) => a.name,
        value: (a) => a.addresses,
        color: (a) => accountColor(a.id),
        legend: "right",
        onPick: (a) => a.id && props.onAccount(a.id),
      }),
    [JSON.stringify(byAccount), text],
  );
  const bar = useChart(
    () =>
      chartConfig("bar", byPool, {
        label: (p) => p.name,
        value: (p) => p.allocations,
        color: "#0072B2",
        series: "allocations",
        onPick: (p) => props.onPool(p.id),
      }),
    [JSON.stringify(byPool), text],
  );
  const line = useChart(
    () =>
      chartConfig("line", overTime, {
        label: (p) => p.period,
        value: (p) => p.allocations,
        color: "#009E73",
        series: "allocations created",
        onPick: (p) => props.onPeriod(p.period),
      }),
    [JSON.stringify(overTime), text],
  );
  return (
    <div className="charts">
      <figure className="card">
        <figcaption>Address space by account</figcaption>
        <canvas
          ref={donut}
          role="img"
          aria-label={`Address space by account: ${byAccount.map((a) => `${a.name} ${a.addresses}`).join(", ") || "no data"}`}
          data-testid="chart-accounts"
        />
      </figure>
      <figure className="card">
        <figcaption>Allocations by parent pool</figcaption>
        <canvas
          ref={bar}
          role="img"
          aria-label={`Allocations by parent pool: ${byPool.map((p) => `${p.name} ${p.allocations}`).join(", ") || "no data"}`}
          data-testid="chart-pools"
        />
      </figure>
      <figure className="card">
        <figcaption>Allocations created over time</figcaption>
        <canvas
          ref={line}
          role="img"
          aria-label={`Allocations created per day: ${overTime.map((p) => `${p.period} ${p.allocations}`).join(", ") || "no data"}`}
          data-testid="chart-time"
        />
      </figure>
    </div>
  );
}
