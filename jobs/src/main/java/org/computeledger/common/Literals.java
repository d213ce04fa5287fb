package org.computeledger.common;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;

/** Small driver-side lookup tables (GPU models, peaks, precisions) as map literals inside a plan. */
public final class Literals {
  private Literals() {}

  /**
   * A map literal of a small Java map; an empty one is a typed null map, so that a lookup in it is
   * null rather than an error. Keys are sorted, so the same map always gives the same plan.
   */
  public static Column mapLit(Map<String, ?> m, String valueType) {
    if (m.isEmpty()) {
      return lit(null).cast("map<string," + valueType + ">");
    }
    List<Column> kv = new ArrayList<>();
    new TreeMap<>(m).forEach((k, v) -> {
      kv.add(lit(k));
      kv.add(lit(v).cast(valueType));
    });
    return map(kv.toArray(new Column[0]));
  }
}
