// What a report hands its page: charts as data. The page's script (charts.ts, bundled
// with d3 and inlined) draws them; the tables are rendered to HTML on the Node side.

export interface ChartSeries {
  name: string;
  /** [x, y] points; for a CDF, y is the fraction of samples ≤ x. */
  points: [number, number][];
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  xLog: boolean;
  /** Draw y as a percentage (CDFs). */
  yPercent: boolean;
  series: ChartSeries[];
  /** Vertical reference lines, e.g. a published figure. */
  markers?: { x: number; label: string }[];
}

/** The id of the JSON data element the chart script reads. */
export const CHART_DATA_ID = "raftsim-report-charts";
