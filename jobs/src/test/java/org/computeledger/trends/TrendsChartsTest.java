package org.computeledger.trends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four charts are drawn headless from monthly rows, written as PNG files, each with its title. */
class TrendsChartsTest {
  private static Row row(Table t, Map<String, Object> m) {
    StructType s = t.schema();
    Object[] v = new Object[s.size()];
    m.forEach((k, val) -> v[s.fieldIndex(k)] = val);
    return new GenericRowWithSchema(v, s);
  }

  private static Map<String, Object> month(String project, String month, double flop) {
    Map<String, Object> m = new HashMap<>();
    m.put("project", project);
    m.put("month", Date.valueOf(month));
    m.put("flop", flop);
    m.put("flop_low", flop / 2);
    m.put("flop_high", flop * 2);
    m.put("gpu_hours", 10.0);
    m.put("cost_billed", new java.math.BigDecimal("100.00"));
    m.put("currency", "USD");
    return m;
  }

  @Test
  void everyChartIsWrittenAsAPngWithItsTitle(@TempDir Path dir) throws Exception {
    List<Row> projects = List.of(row(Table.TRENDS_PROJECT_MONTH, month("atlas", "2026-03-01", 1e21)),
        row(Table.TRENDS_PROJECT_MONTH, month("atlas", "2026-04-01", 3e21)));
    Map<String, Object> s = new HashMap<>(Map.of("standard_id", "eu-ai-act", "project", "atlas",
        "month", Date.valueOf("2026-03-01"), "compute_threshold_flop", 1e25));
    Map<String, Object> mix = new HashMap<>(Map.of("month", Date.valueOf("2026-03-01"), "flop", 1e21,
        "share_counted", 0.1, "share_pipe_activity", 0.5, "share_utilization", 0.3, "share_allocation", 0.1));
    Map<String, Object> branch = month("atlas", "2026-03-01", 1e21);
    branch.put("branch", "pretrain");
    branch.put("activity", "pretraining");
    List<TrendsCharts.Drawn> drawn = TrendsCharts.drawAll(projects, List.of(row(Table.TRENDS_STANDARD_MONTH, s)),
        List.of(row(Table.TRENDS_METHOD_MIX, mix)), List.of(row(Table.TRENDS_BRANCH_MONTH, branch)));
    Map<String, String> expected = Map.of(
        TrendsCharts.CUMULATIVE_FLOP, "Cumulative FLOP per project against compute thresholds",
        TrendsCharts.MONTHLY_COST, "Monthly billed cost per project (USD)",
        TrendsCharts.METHOD_MIX, "Estimation method mix per month (share of FLOP)",
        TrendsCharts.GPU_HOURS_BY_ACTIVITY, "GPU-hours per month by activity");
    assertEquals(expected.size(), drawn.size());
    for (TrendsCharts.Drawn d : drawn) {
      assertEquals(expected.get(d.file()), d.chart().getTitle(), d.file());
      Path png = dir.resolve(d.file());
      org.knowm.xchart.BitmapEncoder.saveBitmap(d.chart(), png.toString(), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
      assertTrue(Files.size(png) > 10_000, d.file() + " has a drawing in it");
      BufferedImage img = ImageIO.read(png.toFile());
      assertNotNull(img, d.file() + " is a PNG");
      assertEquals(TrendsCharts.WIDTH, img.getWidth());
    }
  }

  /** Found by KilledRunTest on a four-month scheduler log with no bill: the cost chart had months but no series. */
  @Test
  void theCostChartOfSeveralMonthsWithoutABillIsDrawnEmpty() {
    List<Row> projects = new java.util.ArrayList<>();
    for (String m : List.of("2026-02-01", "2026-03-01", "2026-04-01")) {
      Map<String, Object> r = month("atlas", m, 1e21);
      r.put("cost_billed", null);
      r.put("currency", null);
      projects.add(row(Table.TRENDS_PROJECT_MONTH, r));
    }
    // threw "X and Y-Axis sizes are not the same" before: one zero for three months
    org.knowm.xchart.CategoryChart c = TrendsCharts.monthlyCost(projects);
    assertEquals("Monthly billed cost per project (no bills)", c.getTitle());
    BufferedImage img = org.knowm.xchart.BitmapEncoder.getBufferedImage(c);
    assertEquals(TrendsCharts.WIDTH, img.getWidth());
  }
}
