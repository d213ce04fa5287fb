package org.computeledger.standards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.computeledger.standards.StandardVersions.Status;
import org.junit.jupiter.api.Test;

/**
 * Which version of a standard a report applies: the one whose effective date is the latest on or
 * before the report date; the others are reported beside it, marked superseded or not yet in force.
 */
class StandardVersionsTest {
  static final List<Standard> ALL = Standard.builtIns();

  static Standard version(String id, String version) {
    return ALL.stream().filter(s -> s.id().equals(id) && s.version().equals(version)).findFirst().orElseThrow();
  }

  static final Standard RAISE_2025 = version("ny-raise", "S6953-B-2025");
  static final Standard RAISE_2026 = version("ny-raise", "S8828-2026");

  @Test
  void beforeJanuary2027TheRaiseVersionInForceIsThe2025Text() {
    LocalDate d = LocalDate.of(2026, 12, 31);
    assertEquals(Status.IN_FORCE, StandardVersions.on(RAISE_2025, ALL, d).status());
    StandardVersions.VersionStatus amended = StandardVersions.on(RAISE_2026, ALL, d);
    assertEquals(Status.NOT_YET_IN_FORCE, amended.status());
    assertTrue(amended.note().contains("2027-01-01") && amended.note().contains("S6953-B-2025"), amended.note());
  }

  @Test
  void fromJanuary2027TheAmendedRaiseIsInForceAndThe2025TextSuperseded() {
    LocalDate d = LocalDate.of(2027, 1, 1);
    assertEquals(Status.IN_FORCE, StandardVersions.on(RAISE_2026, ALL, d).status());
    StandardVersions.VersionStatus old = StandardVersions.on(RAISE_2025, ALL, d);
    assertEquals(Status.SUPERSEDED, old.status());
    assertTrue(old.note().contains("S8828-2026"), old.note());
  }

  @Test
  void aHistoricalFileIsNeverInForce() {
    Standard sb1047 = ALL.stream().filter(s -> s.id().equals("ca-sb1047")).findFirst().orElseThrow();
    assertEquals(Status.HISTORICAL, StandardVersions.on(sb1047, ALL, LocalDate.of(2026, 12, 6)).status());
  }

  @Test
  void aStandardWithOneVersionIsInForceFromItsEffectiveDate() {
    Standard eu = ALL.stream().filter(s -> s.id().equals("eu-ai-act")).findFirst().orElseThrow();
    assertEquals(Status.NOT_YET_IN_FORCE, StandardVersions.on(eu, ALL, LocalDate.of(2025, 8, 1)).status());
    assertEquals(Status.IN_FORCE, StandardVersions.on(eu, ALL, LocalDate.of(2025, 8, 2)).status());
  }

  @Test
  void anIdOnTheCommandLineNamesEveryVersionAndALabelOne() {
    assertEquals(List.of(RAISE_2025, RAISE_2026), Standard.select(ALL, List.of("ny-raise"), List.of()));
    assertEquals(List.of(RAISE_2026), Standard.select(ALL, List.of("ny-raise S8828-2026"), List.of()));
  }
}
