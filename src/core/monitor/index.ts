/**
 * Drift monitoring: per-column tests chosen as Evidently chooses them, with scipy's statistics, on columnar tables
 * from any source; dataset drift by the share of drifted columns; a standalone HTML report. See docs/monitoring.md.
 */
export {
  driftReport, compareColumn, predictionDrift, defaultStatTest, STAT_TESTS, DEFAULT_THRESHOLDS, SMALL_REFERENCE_ROWS,
  type DriftOptions, type DriftReport, type ColumnDrift, type ColumnHistogram, type ColumnTestChoice, type StatTest, type AdditionalTest,
} from './driftReport';
export { driftReportInWorkers, type ColumnTask, type ColumnTaskReply } from './driftWorkers';
export { driftTable, numericColumn, categoricalColumn, type DriftTable, type DriftColumn, type NumericDriftColumn, type CategoricalDriftColumn } from './driftTable';
export { ksTwoSample, type KsResult } from './kolmogorov';
export { wassersteinDistance, normalisedWasserstein, jensenShannonDistance, populationStabilityIndex, chiSquareTest, twoProportionZTest } from './statistics';
export { readVersionTable, type VersionTable } from './versionTable';
export { renderDriftHtml, type DriftHtmlOptions } from './htmlReport';
export { checkModel, type MonitorCheck, type ModelHealth, type CheckModelOptions } from './modelCheck';
export { monitorChecks, checkHistograms, monitorCapability, type CheckHistogram, type MonitorCheckRecord } from './checkStore';
export { windowBounds, DEFAULT_WINDOW, type MonitorWindow } from './monitorWindow';
export { versionMetric, type Decay } from './decay';
export { readLogWindow, type LogWindow, type LogWindowQuery, type WindowColumnSpec, type LabelledPrediction } from './logWindow';
