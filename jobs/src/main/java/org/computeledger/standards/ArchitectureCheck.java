package org.computeledger.standards;

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
}
