package org.computeledger.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each sacct field sits in a file's lines, and what separates them: from the header line, or for a
 * headerless file from --sacct-columns and a data line. {@link SacctParser} splits each record with it.
 */
final class SacctLayout {
  /** The sacct fields this parser reads; a header names them in any case and order. */
  enum Field {
    JOBID, JOBIDRAW, CLUSTER, PARTITION, ACCOUNT, USER, WCKEY, COMMENT, JOBNAME, STATE, SUBMIT, START, END,
    ELAPSED, NNODES, NODELIST, ALLOCTRES, ALLOCGRES, GRES;

    private final String sacctName = name().toLowerCase(Locale.ROOT);
  }

  /** Characters that occur inside sacct values, so a headerless file is unlikely to use them as delimiter. */
  private static final String VALUE_CHARS = "-:._+[]/=@ ,()%*";

  final String delimiter;
  final String[] names;
  /** Whether lines end with the delimiter ({@code --parsable}) rather than not ({@code --parsable2}). */
  final boolean trailingDelimiter;
  private final int[] index = new int[Field.values().length];

  private SacctLayout(String delimiter, String[] names, boolean trailingDelimiter) {
    this.delimiter = delimiter;
    this.names = names;
    this.trailingDelimiter = trailingDelimiter;
    Arrays.fill(index, -1);
    for (int i = 0; i < names.length; i++) {
      String name = names[i].strip().toLowerCase(Locale.ROOT);
      int pct = name.indexOf('%');
      if (pct >= 0) {
        name = name.substring(0, pct);
      }
      for (Field field : Field.values()) {
        if (field.sacctName.equals(name) && index[field.ordinal()] < 0) {
          index[field.ordinal()] = i;
        }
      }
    }
  }

  /**
   * The layout named by a header line, or null when the line is no sacct header. The delimiter is
   * whatever separates the first column name from the second, so any delimiter works, including
   * multi-byte ones like {@code ☃}; a header written with {@code --parsable} ends with it.
   */
  static SacctLayout fromHeader(String line) {
    int i = 0;
    int len = line.length();
    while (i < len && Character.isLetterOrDigit(line.charAt(i))) {
      i++;
    }
    int d = i;
    while (d < len && !Character.isLetterOrDigit(line.charAt(d))) {
      d++;
    }
    if (i == 0 || d == i || d == len) {
      return null;
    }
    String delimiter = line.substring(i, d);
    List<String> names = splitAll(line, delimiter);
    boolean trailing = names.get(names.size() - 1).isEmpty();
    if (trailing) {
      names.remove(names.size() - 1);
    }
    boolean hasId = false;
    for (String name : names) {
      if (name.isEmpty() || !Character.isLetter(name.charAt(0))) {
        return null;
      }
      for (int k = 0; k < name.length(); k++) {
        if (!Character.isLetterOrDigit(name.charAt(k))) {
          return null;
        }
      }
      hasId |= name.equalsIgnoreCase("JobID") || name.equalsIgnoreCase("JobIDRaw");
    }
    return hasId ? new SacctLayout(delimiter, names.toArray(new String[0]), trailing) : null;
  }

  /**
   * The layout of a headerless file from its column list and a data line: the delimiter is the
   * character that cuts the line into exactly that many fields (one more, empty, for
   * {@code --parsable}). Characters that occur inside values lose to those that do not, and then the
   * one seen first wins. Only single-character delimiters are recognised without a header.
   */
  static SacctLayout fromColumns(List<String> columns, String line) {
    int want = columns.size();
    Map<Integer, Integer> counts = new HashMap<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < line.length(); ) {
      int cp = line.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        continue;
      }
      if (counts.merge(cp, 1, Integer::sum) == 1) {
        order.add(cp);
      }
    }
    Integer best = null;
    boolean trailing = false;
    for (int cp : order) {
      int c = counts.get(cp);
      String d = new String(Character.toChars(cp));
      boolean fits = c == want - 1 || (c == want && line.endsWith(d));
      if (!fits) {
        continue;
      }
      if (best == null || (VALUE_CHARS.indexOf(best) >= 0 && VALUE_CHARS.indexOf(cp) < 0)) {
        best = cp;
        trailing = c == want;
      }
    }
    if (best == null) {
      return null;
    }
    return new SacctLayout(new String(Character.toChars(best)), columns.toArray(new String[0]), trailing);
  }

  /** A known field's name as the file spells it. */
  String name(Field known) {
    return names[index[known.ordinal()]];
  }

  /** The column positions of the fields the parser reads. */
  int[] readColumns() {
    return Arrays.stream(index).filter(i -> i >= 0).toArray();
  }

  boolean has(Field known) {
    return index[known.ordinal()] >= 0;
  }

  /** A known field's value; null when the column is absent or the value empty. */
  String get(String line, int[] bounds, Field known) {
    int i = index[known.ordinal()];
    if (i < 0) {
      return null;
    }
    int from = bounds[2 * i];
    int to = bounds[2 * i + 1];
    return from == to ? null : line.substring(from, to);
  }

  /**
   * Start and end offsets of every field of a data line ({@code 2k}, {@code 2k+1} for field k), so
   * that only the fields we use become strings; null when their number does not match the layout.
   */
  int[] split(String line) {
    int want = names.length;
    int[] bounds = new int[2 * want];
    int dl = delimiter.length();
    int start = 0;
    for (int k = 0; k < want; k++) {
      int next = line.indexOf(delimiter, start);
      bounds[2 * k] = start;
      if (k == want - 1) {
        if (next < 0) {
          bounds[2 * k + 1] = line.length();
          return bounds;
        }
        // --parsable: one trailing delimiter and nothing after it
        if (next + dl == line.length()) {
          bounds[2 * k + 1] = next;
          return bounds;
        }
        return null;
      }
      if (next < 0) {
        return null;
      }
      bounds[2 * k + 1] = next;
      start = next + dl;
    }
    return bounds;
  }

  /**
   * Fields in a line, not counting the empty one after a --parsable trailing delimiter (with
   * --parsable2, a line that ends with the delimiter has an empty last field, which counts).
   */
  int countFields(String line) {
    // counted without making the fields: every line of a file passes here once
    int count = 1;
    for (int at = line.indexOf(delimiter); at >= 0; at = line.indexOf(delimiter, at + delimiter.length())) {
      count++;
    }
    return trailingDelimiter && line.endsWith(delimiter) ? count - 1 : count;
  }

  static List<String> splitAll(String line, String delimiter) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    int next;
    while ((next = line.indexOf(delimiter, start)) >= 0) {
      parts.add(line.substring(start, next));
      start = next + delimiter.length();
    }
    parts.add(line.substring(start));
    return parts;
  }
}
