package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;

/** Pricing of ledger rows: no pipe or precision borrows another's peak, and every drop says why. */
class FlopTest extends SparkTestBase {
  private static final double REL = 1e-9;

  /** A catalog of one GPU with FP32 and BF16 figures but no FP64 one, like the datasheets of Ada cards. */
  private static PeakCatalog noFp64Catalog() throws Exception {
    String csv = "gpu_model,precision,dense_tflops,boost_clock_mhz,source,source_date,notes\n"
        + "x1,fp32,100,2000,test datasheet,2026-01,\n"
        + "x1,bf16,400,2000,test datasheet,2026-01,\n";
    return PeakCatalog.parse(new StringReader(csv), "2026-01-01.1");
  }

  /** One ledger row: every activity sum 0 unless given. */
  private Dataset<Row> row(String model, String precision, Map<String, Double> sums) {
    return ledgerRow(spark(), model, precision, sums);
  }

  /** One ledger row of telemetry sums for {@code model} at {@code precision}: every activity sum 0 unless given. */
  static Dataset<Row> ledgerRow(SparkSession spark, String model, String precision, Map<String, Double> sums) {
    StructType s = new StructType();
    List<Object> v = new ArrayList<>();
    for (String c : Activity.sums()) {
      s = s.add(c, DataTypes.DoubleType, true);
      v.add(sums.getOrDefault(c, 0.0));
    }
    s = s.add(Flop.MODEL_ID, DataTypes.StringType, true).add(Flop.PRECISION, DataTypes.StringType, true)
        .add(Flop.MIG_FRACTION, DataTypes.DoubleType, true);
    v.add(model);
    v.add(precision);
    v.add(1.0);
    return spark.createDataFrame(List.of(RowFactory.create(v.toArray())), s);
  }

  private static boolean has(Row r, int reason) {
    return (r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(reason)) != 0;
  }

  private static void near(double expected, double actual) {
    assertEquals(expected, actual, Math.abs(expected) * REL, "expected " + expected + ", was " + actual);
  }

  @Test
  void fp64PipeWithoutAnFp64PeakDropsToTheUtilizationItLoggedWithAReason() throws Exception {
    Flop flop = new Flop(noFp64Catalog(), EstimateParams.defaults());
    // 60 s of samples with FP64 pipe 0.5 (no clock) and GPU utilization 0.75
    Row r = flop.telemetryFlop(row("x1", "bf16", Map.of(Activity.COVERED_S, 60.0, Activity.PIPE_COVERED_S, 60.0,
        Activity.pipeNoClk("fp64"), 30.0, Activity.PIPE_UTIL_COVERED_S, 60.0, Activity.PIPE_UTIL_S, 45.0))).first();
    near(0.0, r.<Double>getAs(Flop.FLOP_PIPE));
    near(400e12 * 45.0, r.<Double>getAs(Flop.FLOP_UTIL));
    near(0.0, r.<Double>getAs(Activity.PIPE_COVERED_S));
    near(60.0, r.<Double>getAs(Activity.UTIL_COVERED_S));
    assertTrue(has(r, MethodReasons.PIPE_NO_FP64));
  }

  @Test
  void fp64PipeIsNeverPricedAtTheFp32Peak() throws Exception {
    Flop flop = new Flop(noFp64Catalog(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("x1", "bf16", Map.of(Activity.COVERED_S, 60.0, Activity.PIPE_COVERED_S, 60.0,
        Activity.pipeNoClk("fp64"), 30.0))).first();
    near(0.0, r.<Double>getAs(Flop.FLOP_PIPE) + r.<Double>getAs(Flop.FLOP_UTIL));
  }

  @Test
  void pipeSamplesThatDropAndLoggedNoUtilizationAreUnpricedWithAReason() throws Exception {
    Flop flop = new Flop(noFp64Catalog(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("x1", "bf16", Map.of(Activity.COVERED_S, 60.0, Activity.PIPE_COVERED_S, 60.0,
        Activity.pipeNoClk("fp64"), 30.0, Activity.PIPE_UTIL_COVERED_S, 20.0, Activity.PIPE_UTIL_S, 10.0))).first();
    near(40.0, r.<Double>getAs(Flop.UNPRICED_S));
    assertTrue(has(r, MethodReasons.PIPE_NO_UTIL));
  }

  @Test
  void fp64PipeOnL40sUsesTheFp64Peak() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("l40s", "bf16", Map.of(Activity.COVERED_S, 60.0, Activity.PIPE_COVERED_S, 60.0,
        Activity.pipeNoClk("fp64"), 30.0, Activity.PIPE_UTIL_COVERED_S, 60.0, Activity.PIPE_UTIL_S, 45.0))).first();
    // the L40S datasheet's FP32 91.6 TFLOPS ÷ 64 (Ada: FP64 at 1/64 of FP32), as the catalog rounds it: 1.431
    near(1.431e12 * 30.0, r.<Double>getAs(Flop.FLOP_PIPE));
    assertFalse(has(r, MethodReasons.PIPE_NO_FP64));
  }

  @Test
  void fp64PipeOnA100UsesItsOwnFp64Peak() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("a100-sxm4-80gb", "bf16", Map.of(Activity.COVERED_S, 60.0,
        Activity.PIPE_COVERED_S, 60.0, Activity.pipeNoClk("fp64"), 30.0))).first();
    near(9.7e12 * 30.0, r.<Double>getAs(Flop.FLOP_PIPE));
    assertEquals(0, r.<Integer>getAs(MethodReasons.COLUMN));
  }

  @Test
  void fp16PipeOnV100UsesItsVectorHalfRateNotTheFp32Rate() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("v100-sxm2-32gb", "fp16", Map.of(Activity.COVERED_S, 60.0,
        Activity.PIPE_COVERED_S, 60.0, Activity.pipeNoClk("fp16"), 30.0))).first();
    // CUDA's compute capability 7.x: 16-bit FMA at twice the 32-bit rate; datasheet FP32 15.7 TFLOPS
    near(2 * 15.7e12 * 30.0, r.<Double>getAs(Flop.FLOP_PIPE));
    assertEquals(0, r.<Integer>getAs(MethodReasons.COLUMN));
  }

  @Test
  void aPrecisionTheGpuLacksIsRecordedAsASubstitution() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row("v100-sxm2-32gb", "bf16", Map.of(Activity.COVERED_S, 60.0,
        Activity.UTIL_COVERED_S, 60.0, Activity.UTIL_S, 30.0))).first();
    near(125e12 * 30.0, r.<Double>getAs(Flop.FLOP_UTIL));
    assertTrue(has(r, MethodReasons.PRECISION_SUBSTITUTED));
  }

  @Test
  void tpuAllocationsUseTheAcceleratorUtilizationAssumptionAndGpusTheirOwn() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults()).withAcceleratorUtilization(0.5, 0.3, 0.6);
    StructType s = new StructType().add(Flop.MODEL_ID, DataTypes.StringType).add(Flop.PRECISION, DataTypes.StringType)
        .add("held_s", DataTypes.DoubleType);
    Dataset<Row> rows = spark().createDataFrame(List.of(RowFactory.create("tpu-v5e", "bf16", 100.0),
        RowFactory.create("h100-sxm", "bf16", 100.0)), s);
    List<Row> out = flop.allocationFlop(rows, "held_s", 0.4).orderBy(Flop.MODEL_ID).collectAsList();
    Row gpu = out.get(0);
    Row tpu = out.get(1);
    near(197e12 * 100 * 0.5, tpu.<Double>getAs(Flop.FLOP_ALLOCATION));
    near(197e12 * 100 * 0.3, tpu.<Double>getAs(Flop.FLOP_LOW));
    near(197e12 * 100 * 0.6, tpu.<Double>getAs(Flop.FLOP_HIGH));
    near(989.4e12 * 100 * 0.4, gpu.<Double>getAs(Flop.FLOP_ALLOCATION));
  }

  @Test
  void anUnknownModelIsUnpricedWithAReason() {
    Flop flop = new Flop(PeakCatalog.load(), EstimateParams.defaults());
    Row r = flop.telemetryFlop(row(null, "bf16", Map.of(Activity.COVERED_S, 60.0,
        Activity.UTIL_COVERED_S, 60.0, Activity.UTIL_S, 30.0))).first();
    near(60.0, r.<Double>getAs(Flop.UNPRICED_S));
    assertTrue(has(r, MethodReasons.NO_PEAK));
  }
}
