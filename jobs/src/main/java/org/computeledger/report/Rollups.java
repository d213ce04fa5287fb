package org.computeledger.report;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.BranchAssignment;
import org.computeledger.common.ExactSum;
import org.computeledger.attribute.GpuAttribution;
import org.computeledger.attribute.Registry;
import org.computeledger.estimate.Activity;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.Flop;
import org.computeledger.estimate.MethodReasons;
import org.computeledger.estimate.SelfCalibration;
import org.computeledger.estimate.SampleWindows;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.GpuSamples;
import org.computeledger.standards.ArchitectureCheck;
import org.computeledger.common.ColumnSteps;

/** The report's roll-ups: per-GPU-interval ledger, per job, per (project, branch), calibration. */
public final class Rollups {
  private Rollups() {}

  /**
   * A table of at most one row per allocation as a join's build side: broadcast when {@code broadcastable} (the
   * allocations fit under the session's broadcast threshold, {@link MainJob#allocationsBroadcastable}),
   * so neither side is shuffled to meet it; else as it is, for the planner to choose.
   */
  static Dataset<Row> perAllocationSide(Dataset<Row> perAllocation, boolean broadcastable) {
    return broadcastable ? broadcast(perAllocation) : perAllocation;
  }

  /** Sums of the ledger quantities that every roll-up carries, in one order. */
  static final String[] QUANTITIES = {
    "gpu_seconds", "telemetry_gpu_seconds", "uncovered_gpu_seconds", "counted_seconds", "pipe_gpu_seconds",
    "util_seconds", "util_weighted_seconds", Flop.FLOP, Flop.FLOP_LOW, Flop.FLOP_HIGH, Flop.FLOP_COUNTED,
    Flop.FLOP_PIPE, Flop.FLOP_UTIL, Flop.FLOP_ALLOCATION, Flop.UNPRICED_S
  };

  /** Telemetry quantities per allocation, summed in micro-units (seconds-sized) ... */
  static final String[] T_SECONDS = {
    "telemetry_gpu_seconds", "counted_seconds", "pipe_gpu_seconds", "util_seconds", "util_weighted_seconds",
    "t_unpriced", "samples"
  };
  /** ... and exactly (FLOP). */
  static final String[] T_FLOP = {"t_flop", "t_low", "t_high", Flop.FLOP_COUNTED, Flop.FLOP_PIPE, Flop.FLOP_UTIL};
  /** The ledger columns that {@link #T_SECONDS} and {@link #T_FLOP} sum, in their order. */
  private static final String[] LEDGER_SECONDS = {
    "gpu_seconds", Activity.COUNTED_S, Activity.PIPE_COVERED_S, Activity.UTIL_COVERED_S, Activity.UTIL_S,
    Flop.UNPRICED_S, "samples"
  };
  private static final String[] LEDGER_FLOP = {
    Flop.FLOP, Flop.FLOP_LOW, Flop.FLOP_HIGH, Flop.FLOP_COUNTED, Flop.FLOP_PIPE, Flop.FLOP_UTIL
  };

  /**
   * The telemetry part of the ledger per allocation (a null allocation: the GPUs' own, unattributed
   * time), GPU model and precision, in one pass over the ledger rows: the job roll-up, the allocation
   * method's uncovered time and the idle line item all read it, not the ledger.
   */
  public static Dataset<Row> perAlloc(Dataset<Row> usageFlop) {
    List<Column> cols = new ArrayList<>(List.of(col(GpuAttribution.ALLOC_ID).as("t_alloc"),
        col(Flop.MODEL_ID).as("t_model"), col(Flop.PRECISION).as("t_precision"),
        GpuAttribution.ruleBit(col(GpuAttribution.RULE)).as("rule_bits"), col(MethodReasons.COLUMN)));
    for (int i = 0; i < T_SECONDS.length; i++) {
      cols.add(col(LEDGER_SECONDS[i]).as(T_SECONDS[i]));
    }
    for (int i = 0; i < T_FLOP.length; i++) {
      cols.add(col(LEDGER_FLOP[i]).as(T_FLOP[i]));
    }
    // the methodology's conflict figures ride along, so no second pass over the ledger counts them
    Column conflict = col(GpuAttribution.RULE).equalTo(GpuAttribution.CONFLICT);
    cols.add(when(conflict, lit(1L)).otherwise(lit(0L)).as(CONFLICT_ROWS));
    cols.add(when(conflict, col("gpu_seconds")).otherwise(lit(0.0)).as(CONFLICT_GPU_S));
    return resum(usageFlop.select(cols.toArray(new Column[0])), col("t_alloc"), col("t_model"), col("t_precision"));
  }

  /** Per allocation, its ledger rows with rule {@link GpuAttribution#CONFLICT} and their GPU-seconds. */
  static final String CONFLICT_ROWS = "conflict_rows";
  static final String CONFLICT_GPU_S = "conflict_gpu_seconds";

  /**
   * The ledger's allocation conflicts from the allocations with their {@link #resum} rows (the
   * allocation rows of {@code MainJob.uncoveredFlop}, which carry their job): one row of the ledger
   * rows with rule {@link GpuAttribution#CONFLICT}, the jobs they belong to and their GPU-seconds.
   * Only allocations have conflicts (the GPUs' own time is never shared), so nothing is lost by
   * counting them per allocation.
   */
  public static Row conflicts(Dataset<Row> allocRows) {
    return allocRows.filter(col(CONFLICT_ROWS).gt(0))
        // the jobs as the size of their set, not a distinct count: one aggregation, not two (see currencyOf)
        .agg(coalesce(sum(col(CONFLICT_ROWS)), lit(0L)), size(collect_set(col(GpuAttribution.JOB_KEY))).cast("long"),
            coalesce(sum(col(CONFLICT_GPU_S)), lit(0.0)))
        .first();
  }

  /** {@link #perAlloc} rows (or ledger rows named like them) summed by {@code keys}. */
  public static Dataset<Row> resum(Dataset<Row> perAlloc, Column... keys) {
    List<Column> aggs = new ArrayList<>();
    for (String q : T_SECONDS) {
      aggs.add(ExactSum.micro(col(q)).as(q));
    }
    for (String q : T_FLOP) {
      aggs.add(ExactSum.of(col(q)).as(q));
    }
    aggs.add(bit_or(col("rule_bits")).as("rule_bits"));
    aggs.add(bit_or(col(MethodReasons.COLUMN)).as(MethodReasons.COLUMN));
    aggs.add(sum(col(CONFLICT_ROWS)).as(CONFLICT_ROWS));
    aggs.add(ExactSum.micro(col(CONFLICT_GPU_S)).as(CONFLICT_GPU_S));
    return perAlloc.groupBy(keys).agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
  }

  /**
   * One row per scheduler job or pod: GPU-seconds, FLOP by method with range, cost. {@code allocFlop}:
   * each allocation with its telemetry ({@link #resum} by {@code t_alloc}, reasons as {@code t_reasons})
   * and the allocation method's FLOP for its uncovered time. A job's descriptive fields come from its allocation row with the
   * smallest id, so they are the same on every run. {@code broadcastable}: the per-allocation tables are broadcast
   * to their joins ({@link #perAllocationSide}).
   */
  public static Dataset<Row> jobs(Dataset<Row> accountable, Dataset<Row> allocFlop, Dataset<Row> allocCost,
      Dataset<Row> market, boolean broadcastable) {
    Dataset<Row> per = perAllocation(allocFlop, allocCost, market, broadcastable);
    Dataset<Row> sums = jobSums(per);
    Dataset<Row> facts = accountable.select(col(GpuAttribution.ALLOC_ID).as("f_alloc"), col(Allocations.CLUSTER),
        col(Allocations.JOB_ID), col(Allocations.ARRAY_JOB_ID), col(Allocations.ARRAY_TASK_ID), col(Allocations.JOB_NAME),
        col(Allocations.USER_HASH), col(Allocations.ACCOUNT), col(Allocations.PARTITION), col(Allocations.STATE),
        col(Allocations.SOURCE_FORMAT), col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH),
        col(BranchAssignment.MATCH_CONFLICT), col(Flop.MODEL_ID), col(Flop.PRECISION));
    return sums.join(perAllocationSide(facts, broadcastable), col("fact_alloc").equalTo(col("f_alloc")), "left")
        .select(col("s_job").as(GpuAttribution.JOB_KEY), col(Allocations.CLUSTER), col(Allocations.JOB_ID),
            col(Allocations.ARRAY_JOB_ID), col(Allocations.ARRAY_TASK_ID), col(Allocations.JOB_NAME),
            col(Allocations.USER_HASH), col(Allocations.ACCOUNT), col(Allocations.PARTITION), col(Allocations.STATE),
            col(Allocations.SOURCE_FORMAT), col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH),
            col(BranchAssignment.MATCH_CONFLICT), col(Allocations.START_TIME), col(Allocations.END_TIME), col("nodes"),
            col(Allocations.GPU_COUNT), col(Flop.MODEL_ID), col(Flop.PRECISION), col("gpu_seconds"),
            col("telemetry_gpu_seconds"), col("uncovered_gpu_seconds"), col("counted_seconds"), col("pipe_gpu_seconds"),
            col("util_seconds"), col("util_weighted_seconds"), col(Flop.FLOP), col(Flop.FLOP_LOW), col(Flop.FLOP_HIGH),
            col(Flop.FLOP_COUNTED), col(Flop.FLOP_PIPE), col(Flop.FLOP_UTIL), col(Flop.FLOP_ALLOCATION),
            col(Flop.UNPRICED_S), col("samples"), GpuAttribution.ruleNames(col("rule_bits")).as("attribution_rules"),
            MethodReasons.names(col(MethodReasons.COLUMN)).as(MethodReasons.NAMES),
            unlessMixed("cost_billed", "currency"), unlessMixed("cost_effective", "currency"), col("currency"),
            unlessMixed("cost_market", "market_currency"), col("market_currency"), col(MARKET_UNPRICED_S));
  }

  /**
   * A currency column's value when one sum would add amounts in several currencies: the sum is then
   * empty, never a total of different money (the converted columns, fx.csv, give the one total).
   */
  public static final String MIXED_CURRENCY = "mixed";

  /**
   * The one currency of the group's rows, or {@link #MIXED_CURRENCY} when they have several. Counted as
   * the size of the group's set of currencies, not a distinct count: an aggregation with distinct counts
   * is planned as two (Spark expands each row once per distinct column), so the roll-ups count currencies
   * (and the job roll-up its nodes) in the same aggregation as their sums.
   */
  static Column currencyOf(String currency) {
    return when(oneCurrency(currency), max(col(currency))).otherwise(lit(MIXED_CURRENCY));
  }

  /** {@code sum} over rows of one currency, null when the rows have several. */
  static Column perCurrency(Column sum, String currency) {
    return when(oneCurrency(currency), sum);
  }

  /** At most one distinct non-null {@code currency} in the group. */
  private static Column oneCurrency(String currency) {
    return size(collect_set(col(currency))).leq(1);
  }

  /** The amount, null when its currency is {@link #MIXED_CURRENCY}. */
  static Column unlessMixed(String amount, String currency) {
    return when(coalesce(col(currency), lit("")).notEqual(MIXED_CURRENCY), col(amount)).as(amount);
  }

  /** Each allocation with its telemetry sums, the allocation method's FLOP, its costs and market cost. */
  static Dataset<Row> perAllocation(Dataset<Row> allocFlop, Dataset<Row> allocCost, Dataset<Row> market,
      boolean broadcastable) {
    Dataset<Row> c = allocCost.groupBy(col(GpuAttribution.ALLOC_ID).as("k_alloc"))
        .agg(perCurrency(sum(col("cost_billed")), "currency").as("cost_billed"),
            perCurrency(sum(col("cost_effective")), "currency").as("cost_effective"),
            currencyOf("currency").as("currency"));
    List<Column> cols = new ArrayList<>(List.of(col(GpuAttribution.ALLOC_ID), col(GpuAttribution.JOB_KEY),
        col(Allocations.NODE), col(Allocations.START_TIME), col(Allocations.END_TIME), col(Allocations.GPU_COUNT),
        col("alloc_gpu_s"), col("uncovered_gpu_s"), col(Flop.FLOP_ALLOCATION), col(Flop.FLOP).as("a_flop"),
        col(Flop.FLOP_LOW).as("a_low"), col(Flop.FLOP_HIGH).as("a_high"), col(Flop.UNPRICED_S).as("a_unpriced"),
        col(MethodReasons.COLUMN).as("a_reasons"), col("rule_bits"), col("t_reasons").as(MethodReasons.COLUMN)));
    for (String q : T_SECONDS) {
      cols.add(col(q));
    }
    for (String q : T_FLOP) {
      cols.add(col(q));
    }
    // the allocation rows carry their telemetry already: the costs alone are joined here
    Dataset<Row> per = allocFlop.select(cols.toArray(new Column[0]))
        .join(perAllocationSide(c, broadcastable), col(GpuAttribution.ALLOC_ID).equalTo(col("k_alloc")), "left");
    if (market != null) {
      per = per.join(perAllocationSide(market.select(col(GpuAttribution.ALLOC_ID).as("m_alloc"), col("cost_market"),
              col("market_currency")), broadcastable), col(GpuAttribution.ALLOC_ID).equalTo(col("m_alloc")), "left")
          // held GPU time that found no market price: the job's cost_market covers the rest only
          .withColumn(MARKET_UNPRICED_S, when(col("cost_market").isNull(), coalesce(col("alloc_gpu_s"), lit(0.0)))
              .otherwise(lit(0.0)));
    } else {
      per = per.withColumn("cost_market", lit(null).cast("decimal(38,12)"))
          .withColumn("market_currency", lit(null).cast("string"))
          .withColumn(MARKET_UNPRICED_S, lit(null).cast("double"));
    }
    // one aggregation reads it (jobSums: nodes and currencies are counted there too), so no checkpoint
    return per;
  }

  /**
   * Per job: its time span, nodes, GPUs, GPU-seconds and FLOP by method (exact sums), attribution rules,
   * costs and their currencies, in one aggregation.
   */
  static Dataset<Row> jobSums(Dataset<Row> per) {
    Column z = lit(0.0);
    return per.groupBy(col(GpuAttribution.JOB_KEY).as("s_job"))
        .agg(min(col(GpuAttribution.ALLOC_ID)).as("fact_alloc"),
            min(col(Allocations.START_TIME)).as(Allocations.START_TIME),
            max(col(Allocations.END_TIME)).as(Allocations.END_TIME),
            sum(coalesce(col(Allocations.GPU_COUNT), lit(0)).cast("long")).as(Allocations.GPU_COUNT),
            ExactSum.micro(col("alloc_gpu_s")).as("gpu_seconds"),
            ExactSum.micro(coalesce(col("telemetry_gpu_seconds"), z)).as("telemetry_gpu_seconds"),
            ExactSum.micro(coalesce(col("uncovered_gpu_s"), z)).as("uncovered_gpu_seconds"),
            ExactSum.micro(coalesce(col("counted_seconds"), z)).as("counted_seconds"),
            ExactSum.micro(coalesce(col("pipe_gpu_seconds"), z)).as("pipe_gpu_seconds"),
            ExactSum.micro(coalesce(col("util_seconds"), z)).as("util_seconds"),
            ExactSum.micro(coalesce(col("util_weighted_seconds"), z)).as("util_weighted_seconds"),
            ExactSum.of(coalesce(col("t_flop"), z).plus(coalesce(col("a_flop"), z))).as(Flop.FLOP),
            ExactSum.of(coalesce(col("t_low"), z).plus(coalesce(col("a_low"), z))).as(Flop.FLOP_LOW),
            ExactSum.of(coalesce(col("t_high"), z).plus(coalesce(col("a_high"), z))).as(Flop.FLOP_HIGH),
            ExactSum.of(coalesce(col(Flop.FLOP_COUNTED), z)).as(Flop.FLOP_COUNTED),
            ExactSum.of(coalesce(col(Flop.FLOP_PIPE), z)).as(Flop.FLOP_PIPE),
            ExactSum.of(coalesce(col(Flop.FLOP_UTIL), z)).as(Flop.FLOP_UTIL),
            ExactSum.of(coalesce(col(Flop.FLOP_ALLOCATION), z)).as(Flop.FLOP_ALLOCATION),
            ExactSum.micro(coalesce(col("t_unpriced"), z).plus(coalesce(col("a_unpriced"), z))).as(Flop.UNPRICED_S),
            ExactSum.micro(coalesce(col("samples"), z)).as("samples"),
            bit_or(col("rule_bits")).as("rule_bits"),
            bit_or(coalesce(col(MethodReasons.COLUMN), lit(0)).bitwiseOR(coalesce(col("a_reasons"), lit(0))))
                .as(MethodReasons.COLUMN),
            sum(col("cost_billed")).cast("decimal(38,12)").as("cost_billed"),
            sum(col("cost_effective")).cast("decimal(38,12)").as("cost_effective"),
            sum(col("cost_market")).cast("decimal(38,12)").as("cost_market"),
            ExactSum.micro(col(MARKET_UNPRICED_S)).as(MARKET_UNPRICED_S),
            size(collect_set(col(Allocations.NODE))).cast("long").as("nodes"),
            currencyOf("currency").as("currency"),
            currencyOf("market_currency").as("market_currency"));
  }

  /**
   * GPU-seconds of a job or line item that no market price covered (no priced model, no price dated by the
   * start, no node): its {@code cost_market} is for the rest only. Null without market prices at all.
   */
  public static final String MARKET_UNPRICED_S = "market_unpriced_gpu_seconds";

  /**
   * One row per (project, branch) with the registry's facts, plus one for GPU time no job held.
   * {@code idlePerAlloc}: the {@link #perAlloc} rows of no allocation; {@code branches}: the registry's
   * branch table.
   */
  public static Dataset<Row> lineItems(Dataset<Row> jobs, Dataset<Row> idlePerAlloc, Dataset<Row> branches,
      Registry registry, EstimateParams p) {
    List<Column> aggs = new ArrayList<>();
    for (String q : QUANTITIES) {
      aggs.add(ExactSum.of(col(q)).as(q));
    }
    aggs.add(count(lit(1)).as("jobs"));
    // a job of several currencies (currency mixed) makes its line item's sum one of several currencies too
    aggs.add(perCurrency(sum(col("cost_billed")), "currency").cast("decimal(38,12)").as("cost_billed"));
    aggs.add(perCurrency(sum(col("cost_effective")), "currency").cast("decimal(38,12)").as("cost_effective"));
    aggs.add(perCurrency(sum(col("cost_market")), "market_currency").cast("decimal(38,12)").as("cost_market"));
    aggs.add(ExactSum.of(col(MARKET_UNPRICED_S)).as(MARKET_UNPRICED_S));
    aggs.add(currencyOf("currency").as("currency"));
    aggs.add(currencyOf("market_currency").as("market_currency"));
    aggs.add(concat_ws(",", array_sort(array_distinct(collect_list(col(Flop.MODEL_ID))))).as("gpu_models"));
    aggs.add(concat_ws(",", array_sort(array_distinct(collect_list(col(Flop.PRECISION))))).as("precisions"));
    aggs.add(concat_ws("; ", array_sort(array_distinct(flatten(collect_list(
        split(when(col(MethodReasons.NAMES).notEqual(""), col(MethodReasons.NAMES)), "; "))))))
        .as(MethodReasons.NAMES));
    Dataset<Row> fromJobs = jobs.groupBy(col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));

    Dataset<Row> idle = idleLineItem(idlePerAlloc);

    Dataset<Row> all = fromJobs.unionByName(idle);
    Dataset<Row> facts = branches.select(col("project").as("b_project"), col("branch").as("b_branch"),
        col("activity"), col("status"), col("description"), col("risk_only"), col("justification"));
    Column openResources = openResources(registry);
    Column calculation = calculation(p);
    Dataset<Row> factsJoined = all.join(facts, col(BranchAssignment.PROJECT).equalTo(col("b_project"))
        .and(col(BranchAssignment.BRANCH).equalTo(col("b_branch"))), "left")
        .drop("b_project", "b_branch");
    Dataset<Row> withFacts = ColumnSteps.steps()
        .set("line_item_id", concat_ws("/", col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH)))
        .set("risk_only", coalesce(col("risk_only"), lit(false)))
        .set("open_resources", openResources)
        .set("calculation", calculation)
        .set("description", coalesce(col("description"),
            when(col(BranchAssignment.BRANCH).equalTo(MainJob.IDLE_BRANCH),
                lit("GPU time seen in telemetry that no allocation held (idle, or jobs missing from the scheduler logs)"))
                .when(col(BranchAssignment.PROJECT).equalTo(MainJob.UNATTRIBUTED),
                    lit("Jobs that match no branch of the registry"))))
        .applyTo(factsJoined)
        .select(col("line_item_id"), col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH), col("activity"),
            col("status"), col("description"), col("jobs"), col("gpu_seconds"), col("telemetry_gpu_seconds"),
            col("uncovered_gpu_seconds"), col(Flop.FLOP), col(Flop.FLOP_LOW), col(Flop.FLOP_HIGH),
            col(Flop.FLOP_COUNTED), col(Flop.FLOP_PIPE), col(Flop.FLOP_UTIL), col(Flop.FLOP_ALLOCATION),
            col(Flop.UNPRICED_S), col("gpu_models"), col("precisions"), col(MethodReasons.NAMES), col("cost_billed"),
            col("cost_effective"), col("cost_market"), col("currency"), col("market_currency"), col("risk_only"), col("justification"), col("open_resources"),
            col("calculation"), col(MARKET_UNPRICED_S));
    // the EU guidelines' second estimate (6·N·D) beside the hardware one, per line item
    return ArchitectureCheck.onLineItems(withFacts, registry)
        .orderBy(col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH));
  }

  /** The line item of GPU time that telemetry saw and no allocation held. */
  static Dataset<Row> idleLineItem(Dataset<Row> idlePerAlloc) {
    return idlePerAlloc.agg(
            ExactSum.micro(col("telemetry_gpu_seconds")).as("gpu_seconds"),
            ExactSum.micro(col("telemetry_gpu_seconds")).as("telemetry_gpu_seconds"),
            lit(0.0).as("uncovered_gpu_seconds"), ExactSum.micro(col("counted_seconds")).as("counted_seconds"),
            ExactSum.micro(col("pipe_gpu_seconds")).as("pipe_gpu_seconds"),
            ExactSum.micro(col("util_seconds")).as("util_seconds"),
            ExactSum.micro(col("util_weighted_seconds")).as("util_weighted_seconds"),
            ExactSum.of(col("t_flop")).as(Flop.FLOP), ExactSum.of(col("t_low")).as(Flop.FLOP_LOW),
            ExactSum.of(col("t_high")).as(Flop.FLOP_HIGH), ExactSum.of(col(Flop.FLOP_COUNTED)).as(Flop.FLOP_COUNTED),
            ExactSum.of(col(Flop.FLOP_PIPE)).as(Flop.FLOP_PIPE), ExactSum.of(col(Flop.FLOP_UTIL)).as(Flop.FLOP_UTIL),
            lit(0.0).as(Flop.FLOP_ALLOCATION), ExactSum.micro(col("t_unpriced")).as(Flop.UNPRICED_S),
            lit(0L).as("jobs"), lit(null).cast("decimal(38,12)").as("cost_billed"),
            lit(null).cast("decimal(38,12)").as("cost_effective"), lit(null).cast("decimal(38,12)").as("cost_market"),
            lit(null).cast("string").as("currency"), lit(null).cast("string").as("market_currency"),
            lit(null).cast("double").as(MARKET_UNPRICED_S),
            concat_ws(",", array_sort(array_distinct(collect_list(col("t_model"))))).as("gpu_models"),
            concat_ws(",", array_sort(array_distinct(collect_list(col("t_precision"))))).as("precisions"),
            MethodReasons.names(bit_or(col(MethodReasons.COLUMN))).as(MethodReasons.NAMES))
        .filter(col("gpu_seconds").isNotNull())
        .withColumn(BranchAssignment.PROJECT, lit(MainJob.UNATTRIBUTED))
        .withColumn(BranchAssignment.BRANCH, lit(MainJob.IDLE_BRANCH));
  }

  /** The line item's calculation in words and figures, method by method. */
  static Column calculation(EstimateParams p) {
    Column avgPeakTflops = when(col("util_weighted_seconds").gt(0),
        col(Flop.FLOP_UTIL).divide(col("util_weighted_seconds")).divide(1e12));
    Column allocPeakTflops = when(col("uncovered_gpu_seconds").gt(0),
        col(Flop.FLOP_ALLOCATION).divide(col("uncovered_gpu_seconds")).divide(p.allocUtil()).divide(1e12));
    return format_string(
        "counted: %.4e FLOP over %,.0f GPU-s | pipe-activity: %,.0f GPU-s of DCGM pipe activity × dense peaks × clock ratio = %.4e FLOP"
            + " | utilization: Σ(util × s) %,.1f GPU-s × %.1f TFLOP/s mean dense peak = %.4e FLOP"
            + " | allocation: %,.0f uncovered GPU-s × %.2f assumed utilization × %.1f TFLOP/s = %.4e FLOP"
            + " | total %.4e FLOP (range %.4e .. %.4e); unpriced %,.0f GPU-s",
        col(Flop.FLOP_COUNTED), col("counted_seconds"), col("pipe_gpu_seconds"), col(Flop.FLOP_PIPE),
        col("util_weighted_seconds"), coalesce(avgPeakTflops, lit(0.0)), col(Flop.FLOP_UTIL),
        col("uncovered_gpu_seconds"), lit(p.allocUtil()), coalesce(allocPeakTflops, lit(0.0)), col(Flop.FLOP_ALLOCATION),
        col(Flop.FLOP), col(Flop.FLOP_LOW), col(Flop.FLOP_HIGH), col(Flop.UNPRICED_S));
  }

  /** The project's open resources as declared in the registry, one text per project. */
  static Column openResources(Registry registry) {
    java.util.Map<String, String> texts = new java.util.HashMap<>();
    for (Registry.Project proj : registry.projects()) {
      List<String> parts = new ArrayList<>();
      for (Registry.Use u : proj.uses()) {
        if (u.isResource()) {
          parts.add(u.resource() + " (open=" + u.open() + ", released by " + u.releasedBy() + " on " + u.releasedOn()
              + (u.project() != null ? ", compute of project " + u.project() : "") + ")");
        } else {
          parts.add("project " + u.project() + " as " + (u.as() == null ? "dependency" : u.as().yamlName()));
        }
      }
      if (!parts.isEmpty()) {
        texts.put(proj.id(), String.join("; ", parts));
      }
    }
    return element_at(org.computeledger.common.Literals.mapLit(texts, "string"), col(BranchAssignment.PROJECT));
  }

  /** The per-GPU-interval ledger: telemetry rows per (GPU, hour, allocation) and allocation-method rows. */
  public static Dataset<Row> gpuUsage(Dataset<Row> usageFlop, Dataset<Row> allocFlop, long bucket) {
    Dataset<Row> tele = usageFlop.select(
        col(GpuAttribution.BUCKET).multiply(bucket).cast("timestamp").as("interval_start"),
        col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.GPU_INDEX), col(GpuSamples.GPU_MODEL),
        col(Flop.MODEL_ID), col(GpuSamples.MIG_PROFILE), col(GpuSamples.MIG_INSTANCE),
        col(GpuAttribution.ALLOC_ID), col(GpuAttribution.JOB_KEY), col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH),
        col("method"), col(GpuAttribution.RULE), col(GpuAttribution.WEIGHT), col("samples"),
        col("window_start_s").cast("timestamp").as("window_start"), col("window_end_s").cast("timestamp").as("window_end"),
        col("gpu_seconds"), col(Flop.PRECISION), col(Flop.PEAK), col(Activity.UTIL_S).as("util_weighted_seconds"),
        col(Flop.FLOP), col(Flop.FLOP_LOW), col(Flop.FLOP_HIGH), col(Flop.FLOP_COUNTED), col(Flop.FLOP_PIPE),
        col(Flop.FLOP_UTIL), col(Flop.FLOP_ALLOCATION), col(Flop.UNPRICED_S));
    Dataset<Row> alloc = allocFlop.filter(col("uncovered_gpu_s").gt(0)).select(
        col(GpuAttribution.START).cast("timestamp").as("interval_start"),
        col(Allocations.NODE).as(GpuSamples.HOST), lit(null).cast("string").as(GpuSamples.GPU_UUID),
        lit(null).cast("int").as(GpuSamples.GPU_INDEX), col(Allocations.GPU_MODEL).as(GpuSamples.GPU_MODEL),
        col(Flop.MODEL_ID), lit(null).cast("string").as(GpuSamples.MIG_PROFILE),
        lit(null).cast("string").as(GpuSamples.MIG_INSTANCE), col(GpuAttribution.ALLOC_ID), col(GpuAttribution.JOB_KEY),
        col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH), lit(Activity.METHOD_ALLOCATION).as("method"),
        lit("held GPUs without telemetry").as(GpuAttribution.RULE), lit(1.0).as(GpuAttribution.WEIGHT),
        lit(0.0).as("samples"), col(GpuAttribution.START).cast("timestamp").as("window_start"),
        col(GpuAttribution.END).cast("timestamp").as("window_end"), col("uncovered_gpu_s").as("gpu_seconds"),
        col(Flop.PRECISION), col(Flop.PEAK), lit(0.0).as("util_weighted_seconds"), col(Flop.FLOP), col(Flop.FLOP_LOW),
        col(Flop.FLOP_HIGH), lit(0.0).as(Flop.FLOP_COUNTED), lit(0.0).as(Flop.FLOP_PIPE), lit(0.0).as(Flop.FLOP_UTIL),
        col(Flop.FLOP_ALLOCATION), col(Flop.UNPRICED_S));
    return tele.unionByName(alloc).withColumn("day", to_date(col("interval_start")));
  }

  /**
   * Where counted windows overlap telemetry on the same GPU: the counted FLOP against what the
   * pipe-activity and utilization methods would have estimated, per GPU model and precision.
   */
  public static Dataset<Row> calibration(Dataset<Row> superseded, Dataset<Row> counted, Dataset<Row> series, Flop flop) {
    List<Column> sums = new ArrayList<>();
    for (String s : Activity.sums()) {
      if (!s.equals(Activity.COUNTED_FLOP) && !s.equals(Activity.COUNTED_S)) {
        sums.add(ExactSum.of(col(s)).as(s));
      }
    }
    Dataset<Row> est = superseded.groupBy(col("c_id").as("e_id"))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]));
    Dataset<Row> joined = counted.select(col("c_id"), col(SampleWindows.SERIES_KEY), col(Activity.COUNTED_FLOP),
            col(Activity.COUNTED_S).as("c_seconds"), col("counted_precision").as(Flop.PRECISION))
        .join(est, col("c_id").equalTo(col("e_id")))
        .join(series.select(col(SampleWindows.SERIES_KEY), col(Flop.MODEL_ID), col(Flop.MIG_FRACTION)), SampleWindows.SERIES_KEY);
    // the utilization method's estimate over every overlapping sample, pipe samples' logged utilization included:
    // what it would have said had the GPU logged no pipe counters
    Column utilAll = col(Flop.FLOP_UTIL).plus(when(col(Activity.PIPE_COVERED_S).gt(0),
        coalesce(col(Flop.MIG_FRACTION), lit(1.0)).multiply(col(Flop.PEAK))
            .multiply(coalesce(col(Activity.PIPE_UTIL_S), lit(0.0)))).otherwise(lit(0.0)));
    Dataset<Row> withFlop = ColumnSteps.steps()
        .set("_util_all", coalesce(utilAll, lit(0.0)))
        .set("_r_u", when(col("_util_all").gt(0), col(Activity.COUNTED_FLOP).divide(col("_util_all"))))
        .set("_r_p", when(col(Flop.FLOP_PIPE).gt(0), col(Activity.COUNTED_FLOP).divide(col(Flop.FLOP_PIPE))))
        .applyTo(flop.telemetryFlop(joined));
    Dataset<Row> perModel = withFlop.groupBy(col(Flop.MODEL_ID), col(Flop.PRECISION))
        .agg(count(lit(1)).as("counted_intervals"), ExactSum.of(col(Activity.COUNTED_FLOP)).as("counted_flop"),
            ExactSum.of(col(Flop.FLOP_PIPE)).as("pipe_activity_estimate"), ExactSum.of(col("_util_all")).as("utilization_estimate"),
            ExactSum.micro(col("c_seconds")).divide(3600.0).as(SelfCalibration.GPU_HOURS),
            min(col("_r_u")).as(SelfCalibration.UTIL_MIN), max(col("_r_u")).as(SelfCalibration.UTIL_MAX),
            min(col("_r_p")).as(SelfCalibration.PIPE_MIN), max(col("_r_p")).as(SelfCalibration.PIPE_MAX));
    return ColumnSteps.steps()
        .set("ratio_counted_to_pipe_activity", when(col("pipe_activity_estimate").gt(0),
            col("counted_flop").divide(col("pipe_activity_estimate"))))
        .set("ratio_counted_to_utilization", when(col("utilization_estimate").gt(0),
            col("counted_flop").divide(col("utilization_estimate"))))
        .set(SelfCalibration.APPLIED, SelfCalibration.applies())
        .applyTo(perModel);
  }
}
