package org.computeledger.ingest;

import java.util.List;
import java.util.Locale;

/**
 * Chooses each input file's parser from its content. A file in no known format is an error, except
 * for a few kinds of document that are recognised as carrying no records (a licence, a JSON document
 * that is not a pod list, a dcgm-exporter counter list): those are listed in the manifest as skipped.
 */
public final class FormatDetector {
  /** How many leading lines detection looks at. */
  public static final int HEAD_LINES = 20;

  /** What detection decided for one file: a parser, or a recognised non-log document, or nothing. */
  public record Detection(FormatParser parser, String skippedAs) {
    public boolean known() {
      return parser != null || skippedAs != null;
    }
  }

  private FormatDetector() {}

  public static Detection detect(String fileName, List<String> head, IngestParams params) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".md") || lower.startsWith("readme") || lower.startsWith("license")
        || lower.startsWith("licence")) {
      // a folder's own documentation travels with the logs; it holds no records
      return new Detection(null, "documentation");
    }
    for (FormatParser p : Formats.all()) {
      if (p.detect(fileName, head, params)) {
        return new Detection(p, null);
      }
    }
    return new Detection(null, nonLogDocument(head));
  }

  /** Names the kind of a recognised document that holds no records, or null. */
  static String nonLogDocument(List<String> head) {
    String first = firstNonBlank(head);
    if (first == null) {
      return "empty file";
    }
    String lower = String.join("\n", head).toLowerCase(Locale.ROOT);
    if (lower.contains("permission is hereby granted") || lower.contains("gnu lesser general public license")
        || lower.contains("gnu general public license") || lower.contains("apache license")
        || first.trim().toLowerCase(Locale.ROOT).matches("(the )?(mit|bsd|apache) licen[sc]e.*")) {
      return "licence text";
    }
    if (lower.contains("# dcgm field, prometheus metric type")) {
      return "dcgm-exporter counter list (configuration, no samples)";
    }
    String t = first.trim();
    if (t.startsWith("[") || t.startsWith("{")) {
      return "JSON document that is not a Kubernetes pod list";
    }
    if (t.startsWith("FOCUS Dimension,")) {
      return "FOCUS converter rule table (column mapping, no charges)";
    }
    return null;
  }

  static String firstNonBlank(List<String> head) {
    for (String s : head) {
      if (!s.isBlank()) {
        return s;
      }
    }
    return null;
  }
}
