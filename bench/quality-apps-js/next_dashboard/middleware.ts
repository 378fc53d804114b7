import { NextResponse, type NextRequest } from 'next/server';

const TRUSTED = ['https://dashboard.example.com', 'https://admin.example.com'];

export function middleware(request: NextRequest) {
  const response = NextResponse.next();
  const origin = request.headers.get('origin') ?? '';
  if (request.nextUrl.pathname.startsWith('/api/public')) {
    // vuln: cors
    response.headers.set('Access-Control-Allow-Origin', origin);
    response.headers.set('Access-Control-Allow-Credentials', 'true');
  } else if (TRUSTED.includes(origin)) {
    // safe: cors
    response.headers.set('Access-Control-Allow-Origin', origin);
    response.headers.set('Access-Control-Allow-Credentials', 'true');
  }
  return response;
}

export const config = { matcher: '/api/:path*' };
