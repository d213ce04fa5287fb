package org.computeledger.standards;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.udf;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.computeledger.attribute.Registry;
import org.computeledger.attribute.Registry.Architecture;

/**
 * The architecture-based estimate of training compute beside the ledger's hardware-based one (the
 * two approaches of the EU guidelines' Annex A.2): C ≈ 6·N·D for a dense transformer, N the
 * parameters (the active ones for a mixture of experts) and D the training tokens over all epochs;
 * 6 = 2 operations per parameter and token forward plus 4 backward, with no recomputation of
 * activations. The two agree when they are within the guidelines' 30 % error margin of the reported
 * (hardware) estimate.
 */
public final class ArchitectureCheck {
  /** The guidelines' overall error margin (Annex A.2), applied here as the line between agree and disagree. */
  public static final double TOLERANCE = 0.30;

  public static final String AGREES = "agrees";
  public static final String DISAGREES = "disagrees";
  public static final String NOT_GIVEN = "not-given";

  /** The line-item columns of the cross-check (schemas/line_items.ddl). */
  public static final String FLOP_ARCHITECTURE = "flop_architecture";
  public static final String ARCHITECTURE_CHECK = "architecture_check";

  private ArchitectureCheck() {}

  /** 6·N·D, D over all epochs. */
  public static double flop(Architecture a) {
    return 6.0 * a.parameters() * a.totalTokens();
  }

  /**
   * Agrees when the architecture estimate is within 30 % of the hardware estimate (the one the report
   * states), either side; {@code not-given} when the registry gives no architecture.
   */
  public static String check(double hardwareFlop, Double architectureFlop) {
    if (architectureFlop == null) {
      return NOT_GIVEN;
    }
    return Math.abs(hardwareFlop - architectureFlop) <= TOLERANCE * hardwareFlop ? AGREES : DISAGREES;
  }

  /**
   * {@link #check} as a column function, so that line items apply the very rule the standards stage
   * applies; null where the hardware estimate is null. Line items are one row per branch: a UDF costs
   * nothing here.
   */
  private static final UserDefinedFunction CHECK = udf(
      (UDF2<Double, Double, String>) (hardware, architecture) -> hardware == null ? null : check(hardware, architecture),
      DataTypes.StringType);

  /**
   * Line items (columns {@code project}, {@code branch}, {@code flop}) with {@link #FLOP_ARCHITECTURE},
   * 6·N·D of the registry's branch (null when it gives no architecture), and {@link #ARCHITECTURE_CHECK}
   * against the line item's hardware point estimate.
   */
  public static Dataset<Row> onLineItems(Dataset<Row> lineItems, Registry registry) {
    Map<String, Double> byBranch = new HashMap<>();
    for (Registry.Project p : registry.projects()) {
      for (Registry.Branch b : p.branches()) {
        if (b.architecture() != null) {
          byBranch.put(p.id() + "/" + b.id(), flop(b.architecture()));
        }
      }
    }
    Column key = concat_ws("/", col("project"), col("branch"));
    return lineItems
        .withColumn(FLOP_ARCHITECTURE, element_at(org.computeledger.common.Literals.mapLit(byBranch, "double"), key))
        .withColumn(ARCHITECTURE_CHECK, CHECK.apply(col("flop"), col(FLOP_ARCHITECTURE)));
  }
}
