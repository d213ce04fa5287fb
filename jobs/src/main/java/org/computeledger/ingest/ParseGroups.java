package org.computeledger.ingest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The parse stage of a small input in a few tasks instead of one per file ({@link Ingest#parse}). Each
 * task is deserialized with its plan and scheduled on its own, and every later stage that reads the cached
 * parse has as many tasks again: the sample logs' 41 telemetry files made three stages of 41 and 50 tasks
 * over some 3 MB. Up to the small-input bound in all ({@link #CONF_KEY}: the size of the files, or of the
 * ranges of a split one), the files go into as many groups as Spark has cores, biggest first into the lightest group,
 * and a task parses its group's files one after the other. Each file is still read once, in order, by the
 * same {@link FileParseTask}, so rows, quarantine and counts are the same; a larger input keeps a task a file.
 */
public final class ParseGroups {
  /**
   * The Spark setting that holds the small-input bound in bytes; {@code cli/SmallInput} sets it (its own
   * bound, {@code LEDGER_SMALL_INPUT_KB}) with the rest of a small input's settings. Unset: no grouping.
   */
  public static final String CONF_KEY = "spark.ledger.smallInputBytes";

  private ParseGroups() {}

  /**
   * {@code tasks} (biggest first) in at most {@code slots} groups when their bytes add up to at most
   * {@code maxBytes}, each group's tasks in the order given; null when the input is not small or there
   * are no more tasks than slots (then a task is a file, as before).
   */
  static List<List<LineSplits.Task>> pack(List<LineSplits.Task> tasks, int slots, long maxBytes) {
    long total = 0;
    for (LineSplits.Task t : tasks) {
      total += Math.max(0, t.end() - t.start());
    }
    if (total > maxBytes || slots < 1 || tasks.size() <= slots) {
      return null;
    }
    List<List<LineSplits.Task>> groups = new ArrayList<>();
    long[] bytes = new long[slots];
    for (int i = 0; i < slots; i++) {
      groups.add(new ArrayList<>());
    }
    for (LineSplits.Task t : tasks) {
      int lightest = 0;
      for (int i = 1; i < slots; i++) {
        if (bytes[i] < bytes[lightest]) {
          lightest = i;
        }
      }
      groups.get(lightest).add(t);
      bytes[lightest] += Math.max(0, t.end() - t.start());
    }
    return groups;
  }

  /** Parses a group's files one after the other, each as its own {@link FileParseTask} call. */
  static final class Task implements FlatMapFunction<List<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final FileParseTask parse;

    Task(FileParseTask parse) {
      this.parse = parse;
    }

    @Override
    public Iterator<Row> call(List<Row> files) {
      Iterator<Row> rest = files.iterator();
      return new Iterator<>() {
        // a file's parse (and its reading thread) starts only when the one before it is done
        private Iterator<Row> current = java.util.Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext()) {
            if (!rest.hasNext()) {
              return false;
            }
            current = parse.call(rest.next());
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }
  }
}
