import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing here. Go to <Link to="/jobs">your jobs</Link> or <Link to="/files">your files</Link>.
      </p>
    </section>
  );
}
