package org.computeledger.ingest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The invoice month of a bill's line, written YYYYMM as Google Cloud's {@code invoice.month} is (the form
 * {@code charges.invoice_month} holds for every bill), from a billing period's start as the bill writes it:
 * FOCUS's BillingPeriodStart ("2024-09-01 00:00:00"), the AWS CUR's bill/BillingPeriodStartDate
 * ("2023-11-01T00:00:00.000Z"). The period's start names its invoice's month, so the leading year and month
 * are taken as written, without a time zone's shift.
 */
final class InvoiceMonth {
  private static final Pattern YEAR_MONTH = Pattern.compile("^(\\d{4})-(\\d{2})");

  private InvoiceMonth() {}

  /** YYYYMM of a billing period's first day (Azure's BillingPeriodStartDate, parsed); null for null. */
  static String of(java.time.LocalDate periodStart) {
    return periodStart == null ? null
        : String.format(java.util.Locale.ROOT, "%04d%02d", periodStart.getYear(), periodStart.getMonthValue());
  }

  /** YYYYMM of {@code periodStart}; null when it is null or does not begin with a year and month. */
  static String of(String periodStart) {
    if (periodStart == null) {
      return null;
    }
    Matcher m = YEAR_MONTH.matcher(periodStart.trim());
    if (!m.find()) {
      return null;
    }
    int month = Integer.parseInt(m.group(2));
    return month >= 1 && month <= 12 ? m.group(1) + m.group(2) : null;
  }
}
