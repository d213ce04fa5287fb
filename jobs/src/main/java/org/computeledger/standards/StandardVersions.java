package org.computeledger.standards;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which version of a standard a report applies (P7): of the versions a run applies with the same id,
 * the one whose effective date is the latest on or before the report date is in force; the others are
 * still computed, for comparison, and marked superseded or not yet in force. A file marked
 * {@code historical} (a vetoed bill) is never in force.
 */
public final class StandardVersions {
  private StandardVersions() {}

  public enum Status {
    IN_FORCE("in-force"), SUPERSEDED("superseded"), NOT_YET_IN_FORCE("not-yet-in-force"), HISTORICAL("historical");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** A version's standing on the report date, and the sentence the report gives for it. */
  public record VersionStatus(Status status, String note) {}

  /** The standing of {@code s} among the standards {@code applied} in the run, on {@code date}. */
  public static VersionStatus on(Standard s, List<Standard> applied, LocalDate date) {
    if (s.historical()) {
      return new VersionStatus(Status.HISTORICAL, s.label() + " is a historical file, never in force; applied for"
          + " comparison only");
    }
    List<Standard> versions = applied.stream().filter(o -> o.id().equals(s.id()) && !o.historical()).toList();
    Optional<Standard> inForce = versions.stream().filter(o -> !o.effectiveDate().isAfter(date))
        .max(Comparator.comparing(Standard::effectiveDate));
    Optional<Standard> next = versions.stream().filter(o -> o.effectiveDate().isAfter(s.effectiveDate()))
        .min(Comparator.comparing(Standard::effectiveDate));
    if (s.effectiveDate().isAfter(date)) {
      return new VersionStatus(Status.NOT_YET_IN_FORCE, s.label() + " takes effect on " + s.effectiveDate()
          + "; on the report date " + date + " " + inForce.map(o -> "the version in force is " + o.label()
              + " (effective " + o.effectiveDate() + ")").orElse("no version of " + s.id() + " applied here is in force")
          + "; applied for comparison only");
    }
    if (inForce.isPresent() && inForce.get() == s) {
      return new VersionStatus(Status.IN_FORCE, s.label() + " is in force on the report date " + date
          + " (effective " + s.effectiveDate() + ")" + next.map(o -> "; " + o.label() + " replaces it from "
              + o.effectiveDate()).orElse(""));
    }
    Standard successor = next.orElse(inForce.orElseThrow());
    return new VersionStatus(Status.SUPERSEDED, s.label() + " was superseded on " + successor.effectiveDate() + " by "
        + successor.label() + ", which is in force on the report date " + date + "; applied for comparison only");
  }
}
