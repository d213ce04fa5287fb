package org.computeledger.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Splittable parse work for large plain telemetry files (between discovery and {@link FileParseTask}):
 * such a file is cut into byte ranges parsed by tasks of their own, and one more task reads it whole for
 * its SHA-256 (a hash cannot be split), so a 5 GB scrape export is not one long task.
 *
 * <p>A range owns the lines that start inside it: it begins at the first line start at or after its first
 * byte and reads on until a line starts at or after its end, so the line crossing its end is its own and
 * every line is read once. Line starts follow {@link java.io.BufferedReader#readLine()}: after LF, after a
 * CR not followed by LF, after CRLF. A range numbers its lines from 1; the driver adds the lines of the
 * ranges before it ({@link #offsets}) once every range has been read. The lines of one GPU sample that
 * a range boundary cuts leave the two ranges as two partial rows, which {@link SampleDuplicates} merges
 * into one sample as it merges the rows that {@link MergingSink} could not.
 */
final class LineSplits {
  /** The split value of a task that reads its file whole. */
  static final int WHOLE = -1;
  /** The split value of the task that only hashes a split file (its summary carries the SHA-256 and size). */
  static final int HASH = -2;
  /** Range size when the session sets none ({@link #CONF_KEY}): Hadoop's usual block size. */
  static final long DEFAULT_BYTES = 128L << 20;
  /** The Spark setting for the range size in bytes (tests use small ones). */
  static final String CONF_KEY = "spark.ledger.ingest.splitBytes";

  /** One parse task: a file read whole, one byte range of it, or its hash; [start, end) its bytes. */
  record Task(String path, String display, String folder, String format, long start, long end, int split) {}

  private LineSplits() {}

  /**
   * The tasks of one file of {@code bytes} bytes: one when it is small, compressed or of a format that
   * is not read by ranges; else its ranges of {@code splitBytes} and the hash task.
   */
  static List<Task> plan(FileSystem fs, Ingest.Source s, long splitBytes) throws IOException {
    String format = s.parser().format();
    if (!mayRange(s, splitBytes) || !plainText(fs, new Path(s.path()))) {
      return List.of(new Task(s.path(), s.display(), s.folder(), format, 0, s.bytes(), WHOLE));
    }
    List<Task> tasks = new ArrayList<>();
    tasks.add(new Task(s.path(), s.display(), s.folder(), format, 0, s.bytes(), HASH));
    int k = 0;
    for (long start = 0; start < s.bytes(); start += splitBytes, k++) {
      tasks.add(new Task(s.path(), s.display(), s.folder(), format, start, Math.min(s.bytes(), start + splitBytes), k));
    }
    return tasks;
  }

  /**
   * False when {@link #plan} reads {@code s} whole whatever its bytes hold: it is not telemetry text, or
   * not larger than one range. True does not mean it is split (a compressed file is read whole).
   */
  static boolean mayRange(Ingest.Source s, long splitBytes) {
    return s.parser() instanceof PrometheusParser && splitBytes > 0 && s.bytes() > splitBytes;
  }

  /** Neither gzip nor Parquet: a stream of lines that can be entered at any byte. */
  private static boolean plainText(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      byte[] head = in.readNBytes(4);
      boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
      boolean parquet = head.length == 4 && head[0] == 'P' && head[1] == 'A' && head[2] == 'R' && head[3] == '1';
      return !gzip && !parquet;
    }
  }

  /**
   * Positions {@code in} at the first line that starts at or after {@code start} and returns that
   * offset (the file's length, or more, when no line starts in the rest of the file).
   */
  static long seekLineStart(FSDataInputStream in, long start) throws IOException {
    if (start == 0) {
      in.seek(0);
      return 0;
    }
    in.seek(start - 1);
    int prev = in.read();
    long pos = start;
    if (prev == '\n') {
      return pos;
    }
    int c = in.read();
    if (prev == '\r') {
      if (c != '\n') {
        in.seek(pos);
        return pos;
      }
      pos++;
      return pos; // CRLF: the LF closes the line before; the next starts after it
    }
    // inside a line: it belongs to the range before; skip to after its break
    while (c >= 0 && c != '\n' && c != '\r') {
      pos++;
      c = in.read();
    }
    if (c < 0) {
      return pos;
    }
    pos++;
    if (c == '\r') {
      int d = in.read();
      if (d == '\n') {
        return pos + 1;
      }
      in.seek(pos);
    }
    return pos;
  }

  /**
   * Lines before each range of each split file ("file#k" → lines of ranges 0..k-1), from the line
   * counts of the ranges' summaries.
   */
  static Map<String, Long> offsets(Map<String, Map<Integer, Long>> linesPerRange) {
    Map<String, Long> out = new HashMap<>();
    linesPerRange.forEach((file, ranges) -> {
      long before = 0;
      for (int k = 0; ranges.containsKey(k); k++) {
        out.put(key(file, k), before);
        before += ranges.get(k);
      }
    });
    return out;
  }

  static String key(String file, int split) {
    return file + "#" + split;
  }
}
