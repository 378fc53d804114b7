import React, { useEffect, useState } from 'react';

type Props = { bio: string; website: string; name: string };

export function Profile({ bio, website, name }: Props) {
  const [status, setStatus] = useState('');

  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    // vuln: xss
    document.getElementById('flash')!.innerHTML = params.get('message') ?? '';
    // safe: xss
    setStatus(params.get('status') ?? '');
  }, []);

  return (
    <section>
      {/* safe: xss */}
      <h2>{name}</h2>
      {/* vuln: xss */}
      <div className="bio" dangerouslySetInnerHTML={{ __html: bio }} />
      {/* vuln: xss */}
      <a href={website}>Website</a>
      <p className="status">{status}</p>
    </section>
  );
}

export function Search() {
  const query = new URLSearchParams(window.location.search).get('q') ?? '';
  return (
    <div>
      {/* vuln: xss */}
      <p dangerouslySetInnerHTML={{ __html: `Results for <b>${query}</b>` }} />
      {/* safe: xss */}
      <p>Results for <b>{query}</b></p>
    </div>
  );
}
