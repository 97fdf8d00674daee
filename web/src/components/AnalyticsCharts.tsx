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
    () => ({
      type: "doughnut",
      data: {
        labels: byAccount.map((a) => a.name),
        datasets: [
          {
            data: byAccount.map((a) => a.addresses),
            backgroundColor: byAccount.map((a) => accountColor(a.id)),
          },
        ],
      },
      options: {
        animation: false,
        plugins: { legend: { position: "right" } },
        onClick: (_e, els) =>
          els[0] && byAccount[els[0].index]?.id && props.onAccount(byAccount[els[0].index]!.id!),
      },
    }),
    [JSON.stringify(byAccount), text],
  );
  const bar = useChart(
    () => ({
      type: "bar",
      data: {
        labels: byPool.map((p) => p.name),
        datasets: [
          { label: "allocations", data: byPool.map((p) => p.allocations), backgroundColor: "#0072B2" },
        ],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        onClick: (_e, els) => els[0] && byPool[els[0].index] && props.onPool(byPool[els[0].index]!.id),
      },
    }),
    [JSON.stringify(byPool), text],
  );
  const line = useChart(
    () => ({
      type: "line",
      data: {
        labels: overTime.map((p) => p.period),
        datasets: [
          {
            label: "allocations created",
            data: overTime.map((p) => p.allocations),
            borderColor: "#009E73",
            backgroundColor: "#009E73",
          },
        ],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        onClick: (_e, els) =>
          els[0] && overTime[els[0].index] && props.onPeriod(overTime[els[0].index]!.period),
      },
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
