package org.computeledger.ingest;

import java.util.function.ObjLongConsumer;

/**
 * Joins the physical lines of a sacct export into records for {@link SacctParser}: a value with a line
 * break in it ({@code --comment}, {@code SubmitLine} and the scripts some {@code --format=ALL} columns
 * hold) continues its record on the next lines. A record goes on until the next line that starts a
 * record (its first field has the shape of the first column, a JobID) once the record has its fields;
 * a short record is not glued to a following record of its own. The record is reported at its first line,
 * and its further lines are ignored, so the line counts still add up.
 */
final class SacctRecords {
  /** Lines one record may span before it is handed on as it is (and quarantined for its field count). */
  static final int MAX_LINES = 10_000;

  private final SacctLayout layout;
  private final SacctRecovery.Shape first;
  private final boolean lastFree;
  private final ObjLongConsumer<String> record;
  private final RowSink sink;
  // the record's first line, and its further lines once there are any (rare: no copy for a one-line record)
  private String text;
  private StringBuilder joined;
  private long firstLine;
  private int lines;
  private int fields;

  /** {@code record} gets each whole record and its first line; continuation lines are ignored in {@code sink}. */
  SacctRecords(SacctLayout layout, RowSink sink, ObjLongConsumer<String> record) {
    this.layout = layout;
    this.first = SacctRecovery.shapeOf(layout.names[0]);
    this.lastFree = SacctRecovery.shapeOf(layout.names[layout.names.length - 1]) == SacctRecovery.Shape.FREE;
    this.sink = sink;
    this.record = record;
  }

  /** The next non-blank data line. */
  void offer(long n, String line) {
    int lineFields = layout.countFields(line);
    if (text != null && continues(line, lineFields)) {
      join(line);
      // the line break joined two pieces of one field
      fields += lineFields - 1;
      lines++;
      sink.ignore(n);
      return;
    }
    flush();
    text = line;
    joined = null;
    firstLine = n;
    fields = lineFields;
    lines = 1;
  }

  /** A blank line: part of a record that still lacks fields, else no record at all. */
  void blank(long n, String line) {
    if (text != null && fields < layout.names.length && lines < MAX_LINES) {
      join(line);
      lines++;
    }
    sink.ignore(n);
  }

  /** Hands on the record being joined, if any. */
  void flush() {
    if (text != null) {
      String t = joined == null ? text : joined.toString();
      text = null;
      joined = null;
      record.accept(t, firstLine);
    }
  }

  private void join(String line) {
    if (joined == null) {
      joined = new StringBuilder(text);
    }
    joined.append('\n').append(line);
  }

  private boolean continues(String line, int lineFields) {
    if (lines >= MAX_LINES) {
      return false;
    }
    int want = layout.names.length;
    boolean shaped = first != SacctRecovery.Shape.ANY && first != SacctRecovery.Shape.FREE;
    if (fields < want) {
      // a short record takes the line unless that line is a record of its own: one that opens with a
      // JobID, or, when the first column has no shape (--format=ALL opens with Account), a whole record
      boolean startsRecord = shaped ? opensWithFirstColumn(line) : lineFields >= want;
      // a line with a whole record's fields is a record of its own (a damaged one, if its JobID is bad)
      // unless it completes this one exactly: gluing it on would lose both
      return fields + lineFields - 1 <= want || (!startsRecord && lineFields < want);
    }
    // a complete record goes on only in a last column that holds free text (only such a column can hold
    // a line break), only when lines are told apart by a JobID, and never with a line of a whole record
    return shaped && lastFree && lineFields < want && !opensWithFirstColumn(line);
  }

  /** Whether a line opens with a field of the first column's shape followed by the delimiter. */
  private boolean opensWithFirstColumn(String line) {
    int d = line.indexOf(layout.delimiter);
    if (d < 0) {
      return layout.names.length == 1;
    }
    return d > 0 && SacctRecovery.fits(first, line.substring(0, d));
  }
}
