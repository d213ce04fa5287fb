package org.computeledger.devtools;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmarks' yardstick from outside: what an analyst would write in DuckDB SQL instead of running
 * the ledger, on the same files and with the same two threads, so that {@code scripts/bench} can print
 * the ledger's time beside it. Two jobs, each timed inside this JVM and checked against the ledger's
 * own output when it is given:
 *
 * <ul>
 *   <li>{@code ingest TELEMETRY_DIR OUT [LEDGER_INGEST_OUT]}: raw dcgm-exporter text (every
 *       {@code *.prom} under the folder) to the canonical one-row-per-GPU-per-timestamp table in Parquet,
 *       lines read as one column, fields taken out by regular expressions, metrics pivoted, rows
 *       ordered by series and time as the ledger writes them;</li>
 *   <li>{@code run LAB_DIR [LEDGER_RUN_OUT]}: canonical Parquet ({@link BenchLab}) to telemetry FLOP
 *       per project and branch: the interval since the previous sample of the series (the first one
 *       covering a median cadence, a gap over 3 cadences covering nothing), pipe activity × peak at
 *       the clock where the pipes were logged and utilization × peak elsewhere, an interval join to
 *       the allocations on the node, each taking gpu_count / 8 of every GPU.</li>
 * </ul>
 * Usage: {@code BenchDuckDb ingest|run IN OUT|- [LEDGER_OUT]}.
 */
public final class BenchDuckDb {
  /** H100 SXM dense peaks and the clocks they are quoted at (the ledger's catalog, gpu_peaks.csv). */
  private static final double BF16 = 989.4e12;
  private static final double BF16_MHZ = 1830;
  private static final double FP32 = 66.9e12;
  private static final double FP32_MHZ = 1980;

  private BenchDuckDb() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: BenchDuckDb ingest TELEMETRY_DIR OUT.parquet [LEDGER_INGEST_OUT]"
          + " | run LAB_DIR - [LEDGER_RUN_OUT]");
      System.exit(2);
    }
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("SET threads=2");
      st.execute("SET preserve_insertion_order=false");
      if (args[0].equals("ingest")) {
        ingest(st, args[1], args[2], args.length > 3 ? args[3] : null);
      } else {
        run(st, args[1], args.length > 3 ? args[3] : null);
      }
    }
  }

  static String ingestSql(String telemetryDir, String out) {
    return """
        COPY (
          WITH lines AS (
            SELECT line FROM read_csv('%s/**/*.prom', columns = {'line': 'VARCHAR'}, header = false,
                delim = '\\t', quote = '', escape = '', auto_detect = false)
            WHERE line NOT LIKE '#%%'
          ), samples AS (
            SELECT regexp_extract(line, '^([A-Za-z_:][A-Za-z0-9_:]*)', 1) AS metric,
                   regexp_extract(line, 'Hostname="([^"]*)"', 1) AS host,
                   regexp_extract(line, 'UUID="([^"]*)"', 1) AS gpu_uuid,
                   TRY_CAST(regexp_extract(line, '[{,]gpu="([0-9]+)"', 1) AS INTEGER) AS gpu_index,
                   regexp_extract(line, 'modelName="([^"]*)"', 1) AS gpu_model,
                   TRY_CAST(regexp_extract(line, '} ([^ ]+)', 1) AS DOUBLE) AS v,
                   make_timestamp(TRY_CAST(regexp_extract(line, ' ([0-9]+)$', 1) AS BIGINT) * 1000) AS ts
            FROM lines
          )
          SELECT ts, host, gpu_uuid, gpu_index, gpu_model,
                 max(v) FILTER (metric = 'DCGM_FI_DEV_GPU_UTIL') / 100 AS gpu_util,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_SM_ACTIVE') AS sm_active,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE') AS pipe_tensor_active,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_PIPE_FP64_ACTIVE') AS pipe_fp64_active,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_PIPE_FP32_ACTIVE') AS pipe_fp32_active,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_PIPE_FP16_ACTIVE') AS pipe_fp16_active,
                 max(v) FILTER (metric = 'DCGM_FI_PROF_DRAM_ACTIVE') AS dram_active,
                 max(v) FILTER (metric = 'DCGM_FI_DEV_SM_CLOCK') AS sm_clock_mhz,
                 max(v) FILTER (metric = 'DCGM_FI_DEV_POWER_USAGE') AS power_w,
                 max(v) FILTER (metric = 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION') AS energy_mj
          FROM samples
          GROUP BY ts, host, gpu_uuid, gpu_index, gpu_model
          ORDER BY host, gpu_uuid, ts
        ) TO '%s' (FORMAT parquet, COMPRESSION zstd)
        """.formatted(telemetryDir, out);
  }

  static void ingest(Statement st, String telemetryDir, String out, String ledgerOut) throws SQLException {
    long t0 = System.nanoTime();
    st.execute(ingestSql(telemetryDir, out));
    double s = (System.nanoTime() - t0) / 1e9;
    double[] duck = sums(st, "read_parquet('" + out + "')");
    System.out.printf(Locale.ROOT, "duckdb-ingest: %,d sample rows in %.1f s of SQL; sum gpu_util %.6e, sum power_w %.6e%n",
        (long) duck[0], s, duck[1], duck[2]);
    if (ledgerOut != null) {
      double[] ledger = sums(st, "read_parquet('" + ledgerOut + "/gpu_samples/*.parquet')");
      System.out.printf(Locale.ROOT, "duckdb-ingest check: ledger %,d rows, sum gpu_util %.6e, sum power_w %.6e: %s%n",
          (long) ledger[0], ledger[1], ledger[2], agree(duck, ledger) ? "agree within 0.5 %" : "DISAGREE");
    }
  }

  private static double[] sums(Statement st, String from) throws SQLException {
    try (ResultSet r = st.executeQuery("SELECT count(*), sum(gpu_util), sum(power_w) FROM " + from)) {
      r.next();
      return new double[] {r.getLong(1), r.getDouble(2), r.getDouble(3)};
    }
  }

  static String runSql(String lab) {
    return """
        WITH s AS (
          SELECT host, gpu_uuid, ts, gpu_util, pipe_tensor_active, pipe_fp32_active, sm_clock_mhz,
                 epoch_us(ts) - lag(epoch_us(ts)) OVER (PARTITION BY host, gpu_uuid, mig_instance ORDER BY ts) AS dt_us
          FROM read_parquet('%1$s/gpu_samples/*.parquet')
        ), cadence AS (
          SELECT host, gpu_uuid, quantile_disc(dt_us, 0.5) AS cad FROM s WHERE dt_us IS NOT NULL GROUP BY ALL
        ), covered AS (
          SELECT s.*, CASE WHEN dt_us IS NULL THEN cad WHEN dt_us > 3 * cad THEN 0 ELSE dt_us END / 1e6 AS dt
          FROM s JOIN cadence USING (host, gpu_uuid)
        ), allocs AS (
          SELECT account, node, gpu_count, start_time, end_time
          FROM read_parquet('%1$s/allocations/*.parquet') WHERE step_id IS NULL AND start_time IS NOT NULL
        ), flop AS (
          SELECT a.account, c.dt * a.gpu_count / 8.0 * CASE
                   WHEN c.pipe_tensor_active IS NOT NULL OR c.pipe_fp32_active IS NOT NULL
                   THEN %2$s * coalesce(c.pipe_tensor_active, 0) * c.sm_clock_mhz / %3$s
                      + %4$s * coalesce(c.pipe_fp32_active, 0) * c.sm_clock_mhz / %5$s
                   ELSE %2$s * c.gpu_util END AS flop
          FROM covered c JOIN allocs a ON c.host = a.node AND c.ts > a.start_time AND c.ts <= a.end_time
        )
        SELECT CASE account WHEN 'atlas' THEN 'atlas/pretrain' WHEN 'evals' THEN 'atlas/evals'
                            WHEN 'teacher' THEN 'teacher/main' ELSE '(unattributed)/(unattributed)' END AS line, sum(flop)
        FROM flop GROUP BY 1 ORDER BY 1
        """.formatted(lab, BF16, BF16_MHZ, FP32, FP32_MHZ);
  }

  static void run(Statement st, String lab, String ledgerOut) throws SQLException {
    long t0 = System.nanoTime();
    Map<String, Double> duck = new TreeMap<>();
    try (ResultSet r = st.executeQuery(runSql(lab))) {
      while (r.next()) {
        duck.put(r.getString(1), r.getDouble(2));
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    // project lines only: jobs of no project and idle GPUs are lines of their own in the ledger
    double total = duck.entrySet().stream().filter(e -> !e.getKey().startsWith("("))
        .mapToDouble(Map.Entry::getValue).sum();
    System.out.printf(Locale.ROOT, "duckdb-run: telemetry FLOP %.6e over %s in %.1f s of SQL%n", total, duck, s);
    if (ledgerOut != null) {
      Map<String, Double> ledger = new TreeMap<>();
      try (ResultSet r = st.executeQuery("SELECT project || '/' || branch, sum(flop_pipe_activity + flop_utilization)"
          + " FROM read_parquet('" + ledgerOut + "/line_items/*.parquet') WHERE project NOT LIKE '(%' GROUP BY 1")) {
        while (r.next()) {
          ledger.put(r.getString(1), r.getDouble(2));
        }
      }
      double lt = ledger.values().stream().mapToDouble(Double::doubleValue).sum();
      boolean each = ledger.entrySet().stream().allMatch(e -> duck.containsKey(e.getKey())
          && Math.abs(duck.get(e.getKey()) - e.getValue()) <= 0.005 * Math.abs(e.getValue()));
      System.out.printf(Locale.ROOT, "duckdb-run check: ledger telemetry FLOP %.6e over %s; total differs by %.3f %%: %s%n",
          lt, ledger, 100 * (total - lt) / lt, each && Math.abs(total - lt) <= 0.005 * lt
              ? "agree within 0.5 % per line and in total" : "DISAGREE");
    }
  }

  private static boolean agree(double[] a, double[] b) {
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > 0.005 * Math.abs(b[i])) {
        return false;
      }
    }
    return true;
  }
}
