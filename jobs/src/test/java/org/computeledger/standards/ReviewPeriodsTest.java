package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** Review periods as the texts set them: the paper's semiannual review, the laws' yearly one. */
class ReviewPeriodsTest {
  @Test
  void paperPrinciplesAreReviewedEverySixMonths() {
    Standard paper = StandardTotalsTest.builtIn("paper-principles");
    assertEquals(6, paper.reviewPeriodMonths());
    assertEquals(LocalDate.of(2027, 6, 2), paper.reviewDue()); // effective 2026-12-02
  }

  @Test
  void theLawsAreReviewedYearly() {
    for (Standard s : Standard.builtIns()) {
      if (!s.id().equals("paper-principles")) {
        assertEquals(12, s.reviewPeriodMonths(), s.label());
      }
    }
  }
}
