import {
  createAjv,
  formatAjvErrors,
  ListUsersQuery,
  LoginBody,
  RefreshBody,
  RegisterBody,
  UpdateUserBody,
} from '@ticketpro/shared';

const ajv = createAjv({ coerce: false });

function errorsOf(schema: object, value: unknown) {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : formatAjvErrors(validate.errors ?? []);
}

const registration = {
  firstname: 'Tendai',
  surname: 'Moyo',
  email: 'tendai@example.com',
  password: 'Harare2027',
  phone_number: '+263 77 123 4567',
  street_address: '12 Samora Machel Ave',
};

describe('RegisterBody', () => {
  it('accepts a complete registration, with or without the optional fields', () => {
    expect(errorsOf(RegisterBody, registration)).toEqual([]);
    expect(errorsOf(RegisterBody, { ...registration, active: true, role: 'organizer' })).toEqual([]);
  });

  it('names every missing field', () => {
    expect(
      errorsOf(RegisterBody, {})
        .map((e) => e.field)
        .sort(),
    ).toEqual(['email', 'firstname', 'password', 'phone_number', 'street_address', 'surname']);
  });

  it.each([
    ['no uppercase letter', 'harare2027', 'must contain an uppercase letter (rule: uppercase)'],
    ['no lowercase letter', 'HARARE2027', 'must contain a lowercase letter (rule: lowercase)'],
    ['no digit', 'HarareCity', 'must contain a digit (rule: digit)'],
    ['fewer than 8 characters', 'Hre2027', 'must be 8-128 characters'],
    ['more than 128 characters', `Aa1${'x'.repeat(126)}`, 'must be 8-128 characters'],
  ])('refuses a password with %s, naming that rule alone', (_why, password, message) => {
    expect(errorsOf(RegisterBody, { ...registration, password })).toEqual([{ field: 'password', message }]);
  });

  it('names every password rule that fails at once', () => {
    expect(errorsOf(RegisterBody, { ...registration, password: 'abc' })).toEqual(
      expect.arrayContaining([
        { field: 'password', message: 'must contain an uppercase letter (rule: uppercase)' },
        { field: 'password', message: 'must contain a digit (rule: digit)' },
        { field: 'password', message: 'must be 8-128 characters' },
      ]),
    );
  });

  it('counts letters beyond ASCII as upper- and lowercase', () => {
    expect(errorsOf(RegisterBody, { ...registration, password: 'ÉCOLEécole9' })).toEqual([]);
  });

  it.each(['+263 77 123 4567', '(555) 123-4567', '+1 (555) 123-4567', '0771234567', '123456789012345'])(
    'accepts the phone number %s',
    (phone_number) => {
      expect(errorsOf(RegisterBody, { ...registration, phone_number })).toEqual([]);
    },
  );

  it.each([
    ['too short', '555-123-456'],
    ['too long', '1234567890123456'],
    ['letters', '077-CALL-NOW'],
    ['a plus that does not lead', '263+771234567'],
    ['nothing but separators', '(---) --- ----'],
  ])('refuses a phone number with %s', (_why, phone_number) => {
    expect(errorsOf(RegisterBody, { ...registration, phone_number })).toEqual([
      { field: 'phone_number', message: 'must be 10-15 digits (spaces, dashes, parentheses and a leading + allowed)' },
    ]);
  });

  it.each(['not-an-email', 'two@@example.com', 'spaces in@example.com'])('refuses the email %s', (email) => {
    expect(errorsOf(RegisterBody, { ...registration, email })).toEqual([
      { field: 'email', message: 'must be a valid email address' },
    ]);
  });

  it('refuses blank names', () => {
    expect(errorsOf(RegisterBody, { ...registration, firstname: '   ' })).toEqual([
      { field: 'firstname', message: 'must be 1-100 characters, not blank' },
    ]);
  });

  it('refuses fields the server owns', () => {
    expect(errorsOf(RegisterBody, { ...registration, id: 1, is_verified: true })).toEqual([
      { field: 'id', message: 'is not allowed' },
      { field: 'is_verified', message: 'is not allowed' },
    ]);
  });

  it('refuses a self-chosen admin role', () => {
    expect(errorsOf(RegisterBody, { ...registration, role: 'admin' })).toEqual([
      { field: 'role', message: 'must be one of: user, organizer' },
    ]);
  });
});

describe('LoginBody', () => {
  it('takes an email or a username with the password', () => {
    expect(errorsOf(LoginBody, { email: 'tendai@example.com', password: 'x' })).toEqual([]);
    expect(errorsOf(LoginBody, { username: 'tendai@example.com', password: 'x' })).toEqual([]);
  });

  it('takes the OAuth2 password-flow form fields', () => {
    expect(
      errorsOf(LoginBody, { grant_type: 'password', username: 'u', password: 'x', scope: '', client_id: 'c' }),
    ).toEqual([]);
  });

  it('asks for an email or a username when both are missing', () => {
    expect(errorsOf(LoginBody, { password: 'x' })).toEqual([
      { field: '(body)', message: 'email or username is required' },
    ]);
  });

  it('asks for the password and refuses unknown fields', () => {
    expect(errorsOf(LoginBody, { email: 'a@b.co', remember: true })).toEqual([
      { field: 'password', message: 'is required' },
      { field: 'remember', message: 'is not allowed' },
    ]);
  });
});

describe('the other identity schemas', () => {
  it('RefreshBody needs a refresh token', () => {
    expect(errorsOf(RefreshBody, {})).toEqual([{ field: 'refresh_token', message: 'is required' }]);
  });

  it('UpdateUserBody needs at least one field and lets admins name any role', () => {
    expect(errorsOf(UpdateUserBody, {})).toEqual([
      { field: '(body)', message: 'at least one field to change is required' },
    ]);
    expect(errorsOf(UpdateUserBody, { role: 'admin' })).toEqual([]);
    expect(errorsOf(UpdateUserBody, { role: 'root' })).toEqual([
      { field: 'role', message: 'must be one of: user, organizer, admin' },
    ]);
  });

  it('ListUsersQuery bounds the page size', () => {
    expect(errorsOf(ListUsersQuery, { limit: 101 })).toEqual([{ field: 'limit', message: 'must be <= 100' }]);
    expect(errorsOf(ListUsersQuery, { skip: -1 })).toEqual([{ field: 'skip', message: 'must be >= 0' }]);
  });
});
