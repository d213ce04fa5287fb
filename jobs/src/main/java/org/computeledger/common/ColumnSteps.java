package org.computeledger.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRegex;
import org.apache.spark.sql.catalyst.analysis.UnresolvedStar;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.JavaConverters;

/**
 * A chain of {@code withColumn} steps, applied as few selects: the estimators and roll-ups add and
 * replace columns a dozen at a time, and Spark analyses the whole plan again for every
 * {@code withColumn} (a third of the driver's CPU on a small run went there). Consecutive steps that
 * do not read a column set earlier in the same run go into one select; a step that does starts the next.
 * The result is the same Dataset, column for column and in the same order, as the steps applied one by
 * one with {@link Dataset#withColumn}: a replaced column keeps its place, a new one goes at the end.
 */
public final class ColumnSteps {
  private final List<String> names = new ArrayList<>();
  private final List<Column> values = new ArrayList<>();

  private ColumnSteps() {}

  /** An empty chain. */
  public static ColumnSteps steps() {
    return new ColumnSteps();
  }

  /** Adds the step {@code withColumn(name, value)}; returns this. */
  public ColumnSteps set(String name, Column value) {
    names.add(name);
    values.add(value);
    return this;
  }

  /** The steps applied to {@code ds}, as {@code ds.withColumn(...)...withColumn(...)} would give. */
  public Dataset<Row> applyTo(Dataset<Row> ds) {
    boolean caseSensitive = ds.sparkSession().sessionState().conf().caseSensitiveAnalysis();
    Dataset<Row> out = ds;
    int start = 0;
    while (start < names.size()) {
      Set<String> setInRun = new TreeSet<>();
      int end = start;
      while (end < names.size()) {
        String key = key(names.get(end), caseSensitive);
        if (setInRun.contains(key) || readsAny(values.get(end).expr(), setInRun, caseSensitive)) {
          break;
        }
        setInRun.add(key);
        end++;
      }
      out = selectRun(out, start, end, caseSensitive);
      start = end;
    }
    return out;
  }

  /** Steps [from, to) as one select, with {@link Dataset#withColumns}'s placement rule. */
  private Dataset<Row> selectRun(Dataset<Row> ds, int from, int to, boolean caseSensitive) {
    List<Column> cols = new ArrayList<>();
    boolean[] placed = new boolean[to - from];
    for (Attribute a : JavaConverters.seqAsJavaList(ds.queryExecution().analyzed().output())) {
      int i = find(a.name(), from, to, caseSensitive);
      if (i < 0) {
        cols.add(new Column(a));
      } else {
        cols.add(values.get(i).as(names.get(i)));
        placed[i - from] = true;
      }
    }
    for (int i = from; i < to; i++) {
      if (!placed[i - from]) {
        cols.add(values.get(i).as(names.get(i)));
      }
    }
    return ds.select(cols.toArray(new Column[0]));
  }

  private int find(String name, int from, int to, boolean caseSensitive) {
    for (int i = from; i < to; i++) {
      if (key(names.get(i), caseSensitive).equals(key(name, caseSensitive))) {
        return i;
      }
    }
    return -1;
  }

  private static String key(String name, boolean caseSensitive) {
    return caseSensitive ? name : name.toLowerCase(Locale.ROOT);
  }

  /**
   * Whether {@code e} reads a column named in {@code names}. A star or a regex column may read any
   * column, so it counts as reading them all.
   */
  private static boolean readsAny(Expression e, Set<String> names, boolean caseSensitive) {
    if (names.isEmpty()) {
      return false;
    }
    if (e instanceof UnresolvedStar || e instanceof UnresolvedRegex) {
      return true;
    }
    if (e instanceof UnresolvedAttribute u) {
      // a dotted name ("a.b") reads column "a" or the column named "a.b"
      if (names.contains(key(u.nameParts().head(), caseSensitive)) || names.contains(key(u.name(), caseSensitive))) {
        return true;
      }
    } else if (e instanceof Attribute a && names.contains(key(a.name(), caseSensitive))) {
      return true;
    }
    for (Expression c : JavaConverters.seqAsJavaList(e.children())) {
      if (readsAny(c, names, caseSensitive)) {
        return true;
      }
    }
    return false;
  }
}
