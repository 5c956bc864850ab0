//! Fixed-point decimals as Trino computes them: unscaled `i128` values with a scale, rounding
//! half away from zero (Java's `HALF_UP`), and at most 38 digits.

pub const MAX_PRECISION: u8 = 38;

pub fn pow10(exponent: u32) -> i128 {
    10i128.pow(exponent)
}

/// Whether `value` needs more than `precision` digits.
pub fn overflows(value: i128, precision: u8) -> bool {
    value.unsigned_abs() >= pow10(precision as u32) as u128
}

/// `numerator / denominator`, rounded half away from zero. `None` on division by zero.
pub fn div_half_up(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    let rounds_away = remainder.unsigned_abs().checked_mul(2)? >= denominator.unsigned_abs();
    let away = if (numerator < 0) != (denominator < 0) {
        -1
    } else {
        1
    };
    Some(if rounds_away {
        quotient + away
    } else {
        quotient
    })
}

/// Changes the scale of `value`, rounding half up when digits are dropped. `None` on overflow
/// of `i128`.
pub fn rescale(value: i128, from_scale: i8, to_scale: i8) -> Option<i128> {
    let shift = to_scale as i32 - from_scale as i32;
    if shift >= 0 {
        value.checked_mul(pow10(shift as u32))
    } else {
        div_half_up(value, pow10((-shift) as u32))
    }
}

/// Parses `[+-]digits[.digits]` or with an exponent (`1.5e3`), as Java's `BigDecimal`, rounded
/// half up to `scale`. `None` when the text is not a number or does not fit `i128`.
pub fn parse(text: &str, scale: i8) -> Option<i128> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, digits) = match mantissa.as_bytes().first()? {
        b'-' => (true, &mantissa[1..]),
        b'+' => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (integral, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if integral.len() + fraction.len() == 0 || !all_digits(integral) || !all_digits(fraction) {
        return None;
    }
    let mut unscaled: i128 = 0;
    for b in integral.bytes().chain(fraction.bytes()) {
        unscaled = unscaled.checked_mul(10)?.checked_add((b - b'0') as i128)?;
    }
    let parsed_scale = fraction.len() as i32 - exponent;
    let value = rescale(unscaled, i8::try_from(parsed_scale).ok()?, scale)?;
    Some(if negative { -value } else { value })
}

/// The digits of a decimal as Trino prints them: `1.20`, `-0.5`, `12`.
pub fn format(value: i128, scale: i8) -> String {
    if scale <= 0 {
        return value.to_string();
    }
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (integral, fraction) = padded.split_at(padded.len() - scale);
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{integral}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(div_half_up(5, 2), Some(3));
        assert_eq!(div_half_up(-5, 2), Some(-3));
        assert_eq!(div_half_up(4, 3), Some(1));
        assert_eq!(div_half_up(-7, -2), Some(4));
        assert_eq!(div_half_up(1, 0), None);
        assert_eq!(rescale(12345, 3, 1), Some(123));
        assert_eq!(rescale(12355, 3, 1), Some(124));
        assert_eq!(rescale(-15, 1, 0), Some(-2));
    }

    #[test]
    fn parses_like_big_decimal() {
        assert_eq!(parse("1.20", 2), Some(120));
        assert_eq!(parse("-1.255", 2), Some(-126));
        assert_eq!(parse("1e2", 0), Some(100));
        assert_eq!(parse(".5", 1), Some(5));
        assert_eq!(parse("+7", 0), Some(7));
        assert_eq!(parse("abc", 0), None);
        assert_eq!(parse(" 1", 0), None);
        assert_eq!(parse("", 0), None);
    }

    #[test]
    fn prints_with_the_scale_digits() {
        assert_eq!(format(120, 2), "1.20");
        assert_eq!(format(-5, 1), "-0.5");
        assert_eq!(format(7, 3), "0.007");
        assert_eq!(format(12, 0), "12");
        assert!(overflows(1000, 3) && !overflows(999, 3) && overflows(-1000, 3));
    }
}
