package io.rollupboost.config;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.Locale;

/** An absolute http(s) URL with a host. */
@Documented
@Constraint(validatedBy = HttpUrl.Validator.class)
@Target({
  ElementType.FIELD,
  ElementType.METHOD,
  ElementType.PARAMETER,
  ElementType.RECORD_COMPONENT
})
@Retention(RetentionPolicy.RUNTIME)
public @interface HttpUrl {
  String message() default
      "must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:8551";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Checks scheme and host. */
  final class Validator implements ConstraintValidator<HttpUrl, URI> {
    @Override
    public boolean isValid(URI value, ConstraintValidatorContext context) {
      if (value == null) {
        return true;
      }
      String scheme = value.getScheme() == null ? "" : value.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && value.getHost() != null;
    }
  }
}
