package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** A MIG instance is priced by its share of the GPU's SMs; an unlisted profile by slices, and flagged. */
class MigSharesTest extends SparkTestBase {
  /** The shipped tables (they list H200 SXM's profiles) and a lab's H100 NVL rows from a catalog file. */
  private static Flop flopWithH200Table() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(CatalogFilesTest.fixture("mig_profiles_lab.csv")));
    return new Flop(c.peaks(), c.mig(), EstimateParams.defaults());
  }

  /** One series of a MIG instance, with 60 s of utilization 0.5 (30 utilization-seconds). */
  private Dataset<Row> migSeries(String gpuModel, String modelId, String profile) {
    return devices("n1", gpuModel, modelId, profile, 1);
  }

  /** {@code count} device series on one host, each with 60 s of utilization 0.5. */
  private Dataset<Row> devices(String host, String gpuModel, String modelId, String profile, int count) {
    StructType s = new StructType().add("host", DataTypes.StringType).add("gpu_uuid", DataTypes.StringType)
        .add("gpu_model", DataTypes.StringType).add("mig_profile", DataTypes.StringType)
        .add(Flop.MODEL_ID, DataTypes.StringType).add(Flop.PRECISION, DataTypes.StringType);
    for (String c : Activity.sums()) {
      s = s.add(c, DataTypes.DoubleType);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<Object> v = new ArrayList<>(java.util.Arrays.asList(host, "GPU-" + i, gpuModel, profile, modelId, "bf16"));
      for (String c : Activity.sums()) {
        v.add(c.equals(Activity.COVERED_S) || c.equals(Activity.UTIL_COVERED_S) ? 60.0
            : c.equals(Activity.UTIL_S) ? 30.0 : 0.0);
      }
      rows.add(RowFactory.create(v.toArray()));
    }
    return spark().createDataFrame(rows, s);
  }

  @Test
  void sixteenMi300xDevicesOnANodeAreAnUnknownPartitionModeAndUnpricedWithAReason() throws Exception {
    Flop flop = flopWithH200Table();
    List<Row> out = flop.telemetryFlop(flop.withMigShares(devices("n1", "AMD Instinct MI300X", "mi300x", null, 16)))
        .collectAsList();
    assertEquals(16, out.size());
    for (Row r : out) {
      assertEquals(0.0, r.<Double>getAs(Flop.FLOP_UTIL), 0);
      assertEquals(60.0, r.<Double>getAs(Flop.UNPRICED_S), 1e-9);
      assertTrue((r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(MethodReasons.PARTITION_UNKNOWN)) != 0);
    }
  }

  @Test
  void eightMi300xDevicesOnANodeAreWholeGpus() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.telemetryFlop(flop.withMigShares(devices("n1", "AMD Instinct MI300X", "mi300x", null, 8))).first();
    assertEquals(1307.4e12 * 30.0, r.<Double>getAs(Flop.FLOP_UTIL), 1307.4e12 * 30.0 * 1e-9);
  }

  @Test
  void mig1g18gbOnH200GetsSixteenOf132OfTheGpusPeak() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.telemetryFlop(flop.withMigShares(migSeries("NVIDIA H200 MIG 1g.18gb", "h200-sxm", "1g.18gb")))
        .first();
    assertEquals(16.0 / 132, r.<Double>getAs(Flop.MIG_FRACTION), 1e-12);
    double expected = 16.0 / 132 * 989.4e12 * 30.0;
    assertEquals(expected, r.<Double>getAs(Flop.FLOP_UTIL), expected * 1e-9);
    assertFalse(r.<Boolean>getAs(Flop.MIG_BY_SLICES));
    assertEquals(0, r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(MethodReasons.MIG_SLICE_RULE));
  }

  @Test
  void aProfileTheTableDoesNotListFallsToTheSliceRuleAndSaysSo() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.telemetryFlop(flop.withMigShares(migSeries("NVIDIA H100 PCIe MIG 2g.20gb", "h100-pcie", "2g.20gb")))
        .first();
    assertEquals(2.0 / 7, r.<Double>getAs(Flop.MIG_FRACTION), 1e-12);
    assertTrue(r.<Boolean>getAs(Flop.MIG_BY_SLICES));
    assertTrue((r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(MethodReasons.MIG_SLICE_RULE)) != 0);
  }

  @Test
  void aLabsCatalogFileRowPricesItsProfileBySms() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.telemetryFlop(flop.withMigShares(migSeries("NVIDIA H100 NVL MIG 3g.47gb", "h100-nvl", "3g.47gb")))
        .first();
    assertEquals(60.0 / 132, r.<Double>getAs(Flop.MIG_FRACTION), 1e-12);
    double expected = 60.0 / 132 * 835.5e12 * 30.0;
    assertEquals(expected, r.<Double>getAs(Flop.FLOP_UTIL), expected * 1e-9);
    assertFalse(r.<Boolean>getAs(Flop.MIG_BY_SLICES));
  }

  @Test
  void aMigProfileNoRuleReadsIsUnpricedNotAWholeGpu() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.telemetryFlop(flop.withMigShares(migSeries("NVIDIA H200 MIG 9g.999gb", "h200-sxm", "9g.999gb")))
        .first();
    assertEquals(0.0, r.<Double>getAs(Flop.FLOP_UTIL), 0);
    assertEquals(60.0, r.<Double>getAs(Flop.UNPRICED_S), 1e-9);
    assertTrue((r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(MethodReasons.PARTITION_UNKNOWN)) != 0);
  }

  @Test
  void aMigInstanceOfAGpuWithSlicesButNoPeakHasItsShareAndIsUnpricedForTheMissingPeak() throws Exception {
    // the H20 is in mig_gpus.csv (the MIG User Guide's 7 instances) but has no dense peak in gpu_peaks.csv
    Flop flop = new Flop(PeakCatalog.load(), MigProfiles.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(flop.withMigShares(migSeries("NVIDIA H20 MIG 1g.12gb", "h20", "1g.12gb"))).first();
    assertEquals(1.0 / 7, r.<Double>getAs(Flop.MIG_FRACTION), 1e-12);
    assertEquals(0.0, r.<Double>getAs(Flop.FLOP), 0);
    // unpriced in GPU-seconds, as the instance's gpu_seconds are: a seventh of its 60 s, not the whole GPU's 60
    assertEquals(60.0 / 7, r.<Double>getAs(Flop.UNPRICED_S), 1e-9);
    int reasons = r.<Integer>getAs(MethodReasons.COLUMN);
    assertTrue((reasons & MethodReasons.bit(MethodReasons.NO_PEAK)) != 0);
    assertTrue((reasons & MethodReasons.bit(MethodReasons.MIG_SLICE_RULE)) != 0);
    assertEquals(0, reasons & MethodReasons.bit(MethodReasons.PARTITION_UNKNOWN));
  }

  @Test
  void aWholeGpuHasShareOneAndNoFlag() throws Exception {
    Flop flop = flopWithH200Table();
    Row r = flop.withMigShares(migSeries("NVIDIA H200", "h200-sxm", null)).first();
    assertEquals(1.0, r.<Double>getAs(Flop.MIG_FRACTION), 0);
    assertFalse(r.<Boolean>getAs(Flop.MIG_BY_SLICES));
  }
}
